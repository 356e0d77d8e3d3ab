"""The path editor checks an item while the trainer types it: a due day outside the phase and
teach-before-test advice appear next to the form before anything is saved."""

import pytest
import sqlalchemy as sa

from lms.extensions import db
from tests.browser.conftest import log_in
from tests.browser.test_studio_journey import PASSWORD, studio_server  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_item_form_is_checked_as_it_is_typed(studio_server, new_page):  # noqa: F811
    from lms.authoring.models import ContentDraft

    server = studio_server
    page = new_page()
    log_in(page, server, "trainer@example.com", PASSWORD)
    page.goto(server("/author/paths/new-sales-rep/phases/first-30/items/new?kind=quiz"))
    errors = page.locator('[data-errors-for="__all__"]')
    advice = page.locator('[data-errors-for="advice"]')
    assert errors.is_hidden() and advice.is_hidden()

    page.locator("#f-id").fill("early-check")
    page.locator("#f-ref").select_option("time-priorities-check")
    page.locator("#f-due_day").fill("45")
    errors.wait_for(state="visible")
    assert errors.inner_text() == "Choose a day inside the item's phase for due day."

    page.locator("#f-due_day").fill("1")
    advice.wait_for(state="visible")
    errors.wait_for(state="hidden")
    assert "This item tests time-management before any lesson or course" in advice.inner_text()

    with server.app.app_context():
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(ContentDraft)) == 0
        )  # typing saved nothing
