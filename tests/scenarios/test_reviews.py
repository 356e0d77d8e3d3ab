"""Open replies and their review: who may review, what the review records, what the hire sees."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.notifications.models import Notification
from lms.people.models import Role
from lms.scenarios.models import OpenReply
from lms.skills.models import Evidence
from tests.helpers import login_as

OH, ND, PR = "objection-handling", "needs-discovery", "presenting"


@pytest.fixture
def team(make_user):
    director = make_user("director@example.com", name="Dana Director", roles={Role.MANAGER})
    manager = make_user(
        "manager@example.com", name="Max Manager", roles={Role.MANAGER}, manager=director
    )
    hire = make_user("hire@example.com", name="Hana Hire", manager=manager)
    return director, manager, hire


@pytest.fixture
def reply(client, team, lab, player, db):
    """Hana's written reply in the lab drill, waiting for review."""
    login_as(client, team[2])
    game = player(client, "lab")
    game.start()
    game.choose(1, 0)
    game.write("I understand. What would your boss need to see to say yes?")
    return db.session.scalar(sa.select(OpenReply))


def review_form(*verdicts, comment="", overall=""):
    data = {"comment": overall}
    for index, met in enumerate(verdicts):
        if isinstance(met, str):
            data[f"lines-{index}-met"] = met
        elif met is not None:
            data[f"lines-{index}-met"] = "1" if met else "0"
        data[f"lines-{index}-comment"] = comment
    return data


def test_the_managers_queue_lists_their_teams_replies_oldest_first(client, team, reply):
    _, manager, _ = team
    login_as(client, manager)
    page = client.get("/reviews").get_data(as_text=True)
    assert "Hana Hire" in page and "Lab drill" in page
    assert f"/reviews/{reply.id}" in page


def test_a_manager_reviews_their_team_and_it_becomes_evidence(db, client, team, reply):
    _, manager, hire = team
    login_as(client, manager)
    page = client.get(f"/reviews/{reply.id}").get_data(as_text=True)
    assert "What would your boss need to see" in page  # the reply
    assert "We lose orders to errors." in page  # the conversation so far
    assert "Acknowledges the concern" in page
    response = client.post(
        f"/reviews/{reply.id}",
        data=review_form(True, False, True, comment="**Nice** <script>x</script>"),
    )
    assert response.status_code == 302
    db.session.refresh(reply)
    assert reply.status == "reviewed" and reply.reviewer_id == manager.id
    assert [line["met"] for line in reply.lines] == [True, False, True]
    assert reply.lines[0]["comment_html"] == "<p><strong>Nice</strong> </p>"
    values = dict(
        db.session.execute(
            sa.select(Evidence.skill_id, Evidence.value).where(
                Evidence.user_id == hire.id, Evidence.source_kind == "review"
            )
        ).all()
    )
    assert values == {OH: 1.0, ND: 0.0, PR: 1.0}
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == hire.id))
    assert note.kind == "reply_reviewed"
    assert note.params["reviewer"] == "Max Manager"
    assert note.link == f"/scenarios/lab/runs/{reply.run_id}#reply-{reply.id}"
    login_as(client, hire)
    run_page = client.get(note.link.split("#")[0]).get_data(as_text=True)
    assert "Reviewed by Max Manager" in run_page
    assert "<strong>Nice</strong>" in run_page and "<script>x" not in run_page


def test_a_manager_up_the_chain_may_review(client, team, reply):
    login_as(client, team[0])
    assert client.get(f"/reviews/{reply.id}").status_code == 200


def test_a_manager_cannot_review_outside_their_team(db, client, make_user, reply):
    outsider = make_user("other.manager@example.com", roles={Role.MANAGER})
    login_as(client, outsider)
    assert client.get(f"/reviews/{reply.id}").status_code == 403
    assert (
        client.post(f"/reviews/{reply.id}", data=review_form(True, True, True)).status_code == 403
    )
    assert "Hana Hire" not in client.get("/reviews").get_data(as_text=True)
    db.session.refresh(reply)
    assert reply.status == "pending"


def test_a_hire_cannot_review_not_even_their_own(client, team, reply, make_user):
    login_as(client, team[2])
    assert client.get("/reviews").status_code == 403
    assert (
        client.post(f"/reviews/{reply.id}", data=review_form(True, True, True)).status_code == 403
    )
    login_as(client, make_user("peer@example.com", manager=team[1]))
    assert client.get(f"/reviews/{reply.id}").status_code == 403


def test_a_manager_who_is_also_the_learner_cannot_review_themself(
    db, client, make_user, lab, player
):
    lead = make_user("lead@example.com", roles={Role.MANAGER, Role.TRAINER})
    login_as(client, lead)
    game = player(client, "lab")
    game.start()
    game.choose(1, 0)
    game.write("A reply I should not review myself.")
    own = db.session.scalar(sa.select(OpenReply).where(OpenReply.user_id == lead.id))
    assert client.get(f"/reviews/{own.id}").status_code == 403


def test_a_trainer_reviews_anyone(db, client, make_user, reply):
    login_as(client, make_user("trainer@example.com", roles={Role.TRAINER}))
    assert "Hana Hire" in client.get("/reviews").get_data(as_text=True)
    assert (
        client.post(f"/reviews/{reply.id}", data=review_form(False, False, False)).status_code
        == 302
    )
    db.session.refresh(reply)
    assert reply.status == "reviewed"


@pytest.mark.parametrize(
    "data, message",
    [
        (review_form(True, None, True), "Mark this line as met or not met."),
        (review_form(True, "maybe", True), "Mark this line as met or not met."),
        (review_form(True, True), "Mark this line as met or not met."),
        (review_form(True, True, True, comment="x" * 2001), "2000"),
    ],
)
def test_incomplete_or_hostile_reviews_are_refused(db, client, team, reply, data, message):
    login_as(client, team[1])
    response = client.post(f"/reviews/{reply.id}", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    db.session.refresh(reply)
    assert reply.status == "pending"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "review")
        )
        == 0
    )


def test_lines_beyond_the_rubric_are_ignored(db, client, team, reply):
    login_as(client, team[1])
    response = client.post(f"/reviews/{reply.id}", data=review_form(True, False, True, False))
    assert response.status_code == 302
    db.session.refresh(reply)
    assert [line["met"] for line in reply.lines] == [True, False, True]


def test_a_reply_is_reviewed_once(db, client, team, reply):
    director, manager, hire = team
    login_as(client, manager)
    client.post(f"/reviews/{reply.id}", data=review_form(True, True, True))
    login_as(client, director)
    response = client.post(f"/reviews/{reply.id}", data=review_form(False, False, False))
    assert response.status_code == 302
    db.session.refresh(reply)
    assert reply.reviewer_id == manager.id
    assert [line["met"] for line in reply.lines] == [True, True, True]
    count = db.session.scalar(
        sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "review")
    )
    assert count == 3
    assert "/reviews/" not in client.get("/reviews").get_data(as_text=True).split("<table")[-1]


def test_the_queue_and_the_review_page_have_bounded_queries(
    db, client, team, reply, make_user, lab, player, queries
):
    _, manager, _ = team
    login_as(client, manager)
    client.get("/reviews")
    with queries() as one:
        client.get("/reviews").close()
    with queries() as page_one:
        client.get(f"/reviews/{reply.id}").close()
    for number in range(4):
        other = make_user(f"hire{number}@example.com", manager=manager)
        login_as(client, other)
        game = player(client, "lab")
        game.start()
        game.choose(1, 0)
        game.write(f"A reply from hire number {number}, long enough.")
    login_as(client, manager)
    with queries() as five:
        page = client.get("/reviews").get_data(as_text=True)
    assert page.count("/reviews/") >= 5
    assert len(five) == len(one) <= 10
    with queries() as page_five:
        client.get(f"/reviews/{reply.id}").close()
    assert len(page_five) == len(page_one)


def test_a_review_comment_the_renderer_refuses_is_a_form_error(db, client, team, reply):
    login_as(client, team[1])
    url = f"/reviews/{reply.id}"
    for data in (
        review_form(True, False, True, comment="> " * 50 + "deep"),
        review_form(True, False, True, overall="- " * 50 + "deep"),
    ):
        response = client.post(url, data=data)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "The comment: the formatting is nested too deeply (at most 20 levels" in page
        db.session.refresh(reply)
        assert reply.status == "pending"
    reviewed = sa.select(sa.func.count(Evidence.id)).where(Evidence.source_kind == "review")
    assert db.session.scalar(reviewed) == 0
    assert client.post(url, data=review_form(True, False, True)).status_code == 302
    db.session.refresh(reply)
    assert reply.status == "reviewed"


def replay(client, player, text):
    game = player(client, "lab")
    game.start()
    game.choose(1, 0)
    game.write(text)
    return game


def test_a_replay_replaces_the_pending_reply_and_the_queue_shows_it_once(
    db, client, team, reply, player, make_user
):
    _, manager, hire = team
    first_run = reply.run_id
    for attempt in range(4):
        replay(client, player, f"Attempt {attempt}: what would your boss need to see?")
    other = make_user("other-hire@example.com", name="Olli Other", manager=manager)
    login_as(client, other)
    replay(client, player, "A reply from another hire, long enough.")
    replies = list(db.session.scalars(sa.select(OpenReply).order_by(OpenReply.id)))
    assert len(replies) == 6  # every reply is kept
    hana = [r for r in replies if r.user_id == hire.id]
    # each reply replaced by the next one, the latest one pending
    assert [r.superseded_by_id for r in hana] == [r.id for r in hana[1:]] + [None]

    login_as(client, manager)
    page = client.get("/reviews").get_data(as_text=True)
    listed = [r for r in replies if f'href="/reviews/{r.id}"' in page]
    assert [r.user_id for r in listed] == [hire.id, other.id]  # once per hire, oldest first
    assert listed[0].id == hana[-1].id
    assert "Attempt 3" in client.get(f"/reviews/{hana[-1].id}").get_data(as_text=True)

    # The replaced reply stays in the hire's history, no longer waiting for review.
    login_as(client, hire)
    run_page = client.get(f"/scenarios/lab/runs/{first_run}").get_data(as_text=True)
    assert "Replaced by a later reply to the same question" in run_page
    assert "waiting for review" not in run_page.lower()

    # Reviewing the replaced reply is refused; the latest one is reviewed once.
    login_as(client, manager)
    response = client.post(f"/reviews/{hana[0].id}", data=review_form(True, True, True))
    assert response.status_code == 302
    assert db.session.get(OpenReply, hana[0].id).status == "pending"
    response = client.post(f"/reviews/{hana[-1].id}", data=review_form(True, True, True))
    db.session.expire_all()
    assert db.session.get(OpenReply, hana[-1].id).status == "reviewed"
    page = client.get("/reviews").get_data(as_text=True)
    listed = [r for r in replies if f'href="/reviews/{r.id}"' in page]
    assert [r.user_id for r in listed] == [other.id]


def test_one_reply_one_review_on_the_managers_member_page(db, client, team, reply, player):
    _, manager, hire = team
    replay(client, player, "The second try at the same question, long enough.")
    login_as(client, manager)
    page = client.get(f"/team/{hire.id}").get_data(as_text=True)
    assert page.count('href="/reviews/') == 1
