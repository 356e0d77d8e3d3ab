"""The last active admin cannot lose the admin role or be deactivated, through any path."""

import threading
import time

import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.people.models import Role, User, UserRole
from lms.people.roster import import_roster
from lms.people.services import AccountData, PeopleError, set_active, update_user
from tests.helpers import login_as

LAST_ADMIN = "is the last active admin: make someone else an admin first."


def active_admins(db) -> set[str]:
    return set(
        db.session.scalars(
            sa.select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "admin", User.active.is_(True))
        )
    )


def without_admin(user: User) -> AccountData:
    return AccountData(email=user.email, name=user.name, roles=frozenset({"trainer"}))


def form_of(user: User, roles: list[str]) -> dict:
    return {"email": user.email, "name": user.name, "roles": roles, "manager_email": ""}


def test_the_user_form_refuses_to_remove_the_last_admins_role(client, db, make_user):
    admin = make_user("alex@example.com", roles={"admin"})
    login_as(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data=form_of(admin, ["trainer"]))
    assert response.status_code == 200
    assert f"alex@example.com {LAST_ADMIN}" in response.get_data(as_text=True)
    assert active_admins(db) == {"alex@example.com"}


def test_the_user_form_may_remove_an_admin_role_while_another_admin_remains(client, db, make_user):
    admin = make_user("alex@example.com", roles={"admin"})
    other = make_user("kim@example.com", roles={"admin"})
    login_as(client, admin)
    response = client.post(f"/admin/users/{admin.id}", data=form_of(admin, ["trainer"]))
    assert response.status_code == 302
    assert active_admins(db) == {"kim@example.com"}
    # Now Kim is the last one.
    with pytest.raises(PeopleError, match="last active admin"):
        update_user(db.session.get(User, other.id), without_admin(other), actor=None)


def test_the_last_admin_cannot_be_deactivated(db, make_user):
    admin = make_user("alex@example.com", roles={"admin"})
    make_user("kim@example.com", roles={"admin"}, active=False)
    with pytest.raises(PeopleError, match="last active admin"):
        set_active(admin, False, actor=None)
    assert active_admins(db) == {"alex@example.com"}


def test_deactivating_one_of_two_admins_through_the_page_works_then_not_the_other(
    app, client, db, make_user
):
    admin = make_user("alex@example.com", roles={"admin"})
    other = make_user("kim@example.com", roles={"admin"})
    login_as(client, admin)
    client.post(f"/admin/users/{other.id}/active", data={"active": "0"})
    assert active_admins(db) == {"alex@example.com"}
    with pytest.raises(PeopleError, match="last active admin"):
        set_active(db.session.get(User, admin.id), False, actor=None)


def test_the_roster_import_refuses_a_file_that_removes_every_admin(db, make_user):
    make_user("alex@example.com", name="Alex Admin", roles={"admin"})
    data = b"email,name,manager_email,start_date,roles\nalex@example.com,Alex Admin,,,trainer\n"
    for apply in (False, True):
        result = import_roster(data, actor=None, apply=apply)
        assert [str(p) for p in result.problems] == [
            "line 2, column roles: This would leave no active admin: keep the admin role of "
            "someone."
        ]
    db.session.rollback()
    assert active_admins(db) == {"alex@example.com"}
    # Handing the role to someone new in the same file is fine.
    data += b"kim@example.com,Kim Admin,,,admin\n"
    result = import_roster(data, actor=None)
    assert result.ok
    db.session.commit()
    assert active_admins(db) == {"kim@example.com"}


def test_a_non_admin_may_lose_roles_freely(db, make_user):
    make_user("alex@example.com", roles={"admin"})
    trainer = make_user("tara@example.com", roles={"trainer"})
    update_user(trainer, AccountData(email=trainer.email, name=trainer.name), actor=None)
    assert trainer.roles == frozenset()


def test_two_concurrent_removals_of_the_last_two_admins_leave_one(app, db, make_user):
    first = make_user("alex@example.com", roles={"admin"})
    second = make_user("kim@example.com", roles={"admin"})
    ids = [first.id, second.id]
    db.session.commit()
    first_has_changed, let_first_commit = threading.Event(), threading.Event()
    results: dict[int, str] = {}

    def remove_admin(user_id: int, hold: bool) -> None:
        with app.app_context():
            try:
                user = _db.session.get(User, user_id)
                update_user(user, without_admin(user), actor=None)
                if hold:
                    first_has_changed.set()
                    let_first_commit.wait(10)
                _db.session.commit()
                results[user_id] = "removed"
            except PeopleError:
                _db.session.rollback()
                results[user_id] = "refused"
            finally:
                _db.session.remove()

    one = threading.Thread(target=remove_admin, args=(ids[0], True))
    two = threading.Thread(target=remove_admin, args=(ids[1], False))
    one.start()
    assert first_has_changed.wait(10)
    two.start()
    time.sleep(0.5)  # let the second request reach the lock and wait there
    let_first_commit.set()
    one.join(20)
    two.join(20)
    assert results == {ids[0]: "removed", ids[1]: "refused"}
    db.session.expire_all()
    assert active_admins(db) == {"kim@example.com"}
    assert Role.ADMIN in db.session.get(User, ids[1]).roles


def test_the_roster_apply_step_is_guarded_by_the_services_too(db, make_user, monkeypatch):
    """As if another admin lost the role between the file's check and its apply."""
    from lms.people import roster

    monkeypatch.setattr(roster, "_check_admins_remain", lambda rows: [])
    make_user("alex@example.com", name="Alex Admin", roles={"admin"})
    data = b"email,name,manager_email,start_date,roles\nalex@example.com,Alex Admin,,,trainer\n"
    result = import_roster(data, actor=None)
    assert [str(p) for p in result.problems] == [
        f"line 2, column roles: alex@example.com {LAST_ADMIN}"
    ]
    db.session.rollback()
    assert active_admins(db) == {"alex@example.com"}
