"""One commit per request: what a view changes is kept after a response below 400 and dropped
after an error response or an exception, without the view committing."""

from __future__ import annotations

import pytest

from lms.extensions import db
from lms.people.models import User


@pytest.fixture
def rename_route(app):
    @app.post("/_test/rename/<int:user_id>/<int:status>")
    def _rename(user_id: int, status: int):
        user = db.session.get(User, user_id)
        user.name = "Renamed"
        if status == 599:
            raise RuntimeError("a failure after a write")
        return "done", status

    return app


@pytest.mark.parametrize(("status", "kept"), [(200, True), (303, True), (400, False), (409, False)])
def test_the_request_commits_below_400_and_rolls_back_otherwise(
    rename_route, client, make_user, status, kept
):
    user_id = make_user("rita@example.com", name="Rita").id
    db.session.commit()
    response = client.post(f"/_test/rename/{user_id}/{status}")
    assert response.status_code == status
    db.session.remove()
    assert db.session.get(User, user_id).name == ("Renamed" if kept else "Rita")


def test_an_exception_after_a_write_keeps_nothing(rename_route, client, make_user, app):
    user_id = make_user("rita@example.com", name="Rita").id
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/_test/rename/{user_id}/599")
    assert response.status_code == 500
    db.session.remove()
    assert db.session.get(User, user_id).name == "Rita"
