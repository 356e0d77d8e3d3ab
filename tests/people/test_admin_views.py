from lms.audit.models import AuditEvent
from lms.people.models import User
from tests.helpers import login_as


def _admin(client, make_user):
    admin = make_user("admin@example.com", name="Alex Admin", roles={"admin"})
    login_as(client, admin)
    return admin


def test_create_a_person_with_roles_and_manager(client, db, make_user):
    _admin(client, make_user)
    boss = make_user("boss@example.com", roles={"manager"})
    response = client.post(
        "/admin/users/new",
        data={
            "email": "New.Hire@Example.com",
            "name": "New Hire",
            "roles": ["trainer"],
            "manager_email": "BOSS@example.com",
            "start_date": "2026-12-01",
            "locale": "zh_CN",
            "password": "a good long phrase",
        },
    )
    assert response.status_code == 302
    user = db.session.scalars(db.select(User).where(User.email == "new.hire@example.com")).one()
    assert (user.name, user.roles, user.manager_id, str(user.start_date), user.locale) == (
        "New Hire",
        {"trainer"},
        boss.id,
        "2026-12-01",
        "zh_CN",
    )
    assert db.session.scalars(db.select(AuditEvent.action)).all() == ["user.created"]


def test_form_errors_are_shown_next_to_the_field_and_input_is_kept(client, db, make_user):
    _admin(client, make_user)
    make_user("taken@example.com")
    page = client.post(
        "/admin/users/new",
        data={
            "email": "taken@example.com",
            "name": "Typed Name",
            "manager_email": "ghost@example.com",
            "password": "password1",
        },
    ).get_data(as_text=True)
    assert "No person has this e-mail address." in page
    assert 'value="Typed Name"' in page
    page = client.post(
        "/admin/users/new",
        data={"email": "fresh@example.com", "name": "Typed Name", "password": "password1"},
    ).get_data(as_text=True)
    assert "too common" in page and 'aria-invalid="true"' in page
    page = client.post(
        "/admin/users/new", data={"email": "taken@example.com", "name": "X"}
    ).get_data(as_text=True)
    assert "taken@example.com already has an account." in page


def test_edit_roles_and_manager_is_audited(client, db, make_user):
    _admin(client, make_user)
    boss = make_user("boss@example.com", roles={"manager"})
    rep = make_user("rep@example.com", name="Rep")
    response = client.post(
        f"/admin/users/{rep.id}",
        data={
            "email": "rep@example.com",
            "name": "Rep",
            "roles": ["manager"],
            "manager_email": "boss@example.com",
        },
    )
    assert response.status_code == 302
    db.session.refresh(rep)
    assert rep.roles == {"manager"} and rep.manager_id == boss.id
    assert set(db.session.scalars(db.select(AuditEvent.action))) == {
        "user.roles_changed",
        "user.manager_changed",
    }


def test_no_management_cycle_from_the_form(client, db, make_user):
    _admin(client, make_user)
    boss = make_user("boss@example.com", roles={"manager"})
    lead = make_user("lead@example.com", roles={"manager"}, manager=boss)
    rep = make_user("rep@example.com", manager=lead)
    page = client.post(
        f"/admin/users/{boss.id}",
        data={"email": "boss@example.com", "name": "Boss", "manager_email": "rep@example.com"},
    ).get_data(as_text=True)
    assert "rep@example.com reports to boss@example.com: that would make a management loop." in page
    db.session.refresh(boss)
    assert boss.manager_id is None and rep.manager_id == lead.id


def test_deactivate_and_reactivate(client, db, make_user):
    admin = _admin(client, make_user)
    rep = make_user("rep@example.com")
    client.post(f"/admin/users/{rep.id}/active", data={"active": "0"})
    db.session.refresh(rep)
    assert not rep.active
    client.post(f"/admin/users/{rep.id}/active", data={"active": "1"})
    db.session.refresh(rep)
    assert rep.active
    page = client.post(
        f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "You cannot deactivate your own account." in page.get_data(as_text=True)


def test_set_password_refuses_weak_ones(client, db, make_user):
    _admin(client, make_user)
    rep = make_user("rep@example.com")
    page = client.post(
        f"/admin/users/{rep.id}/password", data={"password": "12345678"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "too common" in page
    page = client.post(
        f"/admin/users/{rep.id}/password",
        data={"password": "a sound passphrase"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "has been set" in page


def test_list_is_searchable_and_paginated_with_bounded_queries(client, db, make_user, queries):
    _admin(client, make_user)
    boss = make_user("boss@example.com", roles={"manager"})
    for i in range(60):
        make_user(f"rep{i:02d}@example.com", name=f"Rep {i:02d}", manager=boss)
    with queries() as few:
        page = client.get("/admin/users?q=rep0").get_data(as_text=True)
    assert "10 people" in page and "Rep 09" in page and "Rep 10" not in page
    with queries() as many:
        page = client.get("/admin/users").get_data(as_text=True)
    assert "62 people" in page and "Page 1 of 2" in page
    assert len(many) == len(few) <= 9  # one of them: the admin's second factor
    assert "Rep 49" not in page
    assert "Rep 49" in client.get("/admin/users?page=2").get_data(as_text=True)


def test_audit_log_lists_events_and_filters(client, db, make_user):
    _admin(client, make_user)
    rep = make_user("rep@example.com")
    client.post(f"/admin/users/{rep.id}/active", data={"active": "0"})
    page = client.get("/admin/audit?action=user.deactivated").get_data(as_text=True)
    assert "Account deactivated" in page and "rep@example.com" in page
    assert '<option value="user.deactivated" selected>Account deactivated</option>' in page


def test_unknown_user_is_404(client, make_user):
    _admin(client, make_user)
    assert client.get("/admin/users/999999").status_code == 404
