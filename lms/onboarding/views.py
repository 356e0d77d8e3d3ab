"""The hire's path (/onboarding), enrolling people, calendar addresses and feeds."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    can_enroll_person,
    forbid,
    has_permission,
    permission_required,
)
from lms.core.inputs import InputError, int_list
from lms.core.safe_redirect import safe_next_url
from lms.core.transaction import discard_changes
from lms.extensions import db
from lms.notifications.kinds import reader_content_locale
from lms.onboarding import calendar as feeds
from lms.onboarding.models import Enrollment
from lms.onboarding.pages import hire_page, item_url, people_by_id
from lms.onboarding.services import (
    OnboardingError,
    enroll_many,
    live_path_titles,
    upgrade_enrollment,
)
from lms.timeutil import today

bp = Blueprint("onboarding", __name__, template_folder="templates")

MAX_BULK = 500


@bp.app_context_processor
def _helpers():
    def enrollable_paths() -> list[tuple[str, str]]:
        """(id, title) of every live path, for enrollment forms."""
        locale = reader_content_locale()
        return sorted(
            ((slug, title.get(locale, language)) for slug, title, language in live_path_titles()),
            key=lambda pair: pair[1].lower(),
        )

    return {
        "onboarding_item_url": item_url,
        "enrollable_paths": enrollable_paths,
        "content_text": lambda text: text.get(reader_content_locale()) if text else "",
        "known_endpoints": current_app.view_functions,
    }


@bp.get("/onboarding")
@permission_required(Permission.LEARN)
def my_path():
    page = hire_page(current_user, today())
    return render_template("onboarding/my_path.html", page=page, locale=reader_content_locale())


# --- enrolling ---------------------------------------------------------------------------------


def _may_enroll_someone() -> None:
    if not (
        has_permission(current_user, Permission.ENROLL_ANYONE)
        or has_permission(current_user, Permission.SIGN_OFF)
    ):
        forbid()


def _back(fallback_endpoint: str) -> str:
    return safe_next_url(request.form.get("next"), url_for(fallback_endpoint))


def _fallback() -> str:
    if has_permission(current_user, Permission.VIEW_TEAM):
        return "team.overview"
    if has_permission(current_user, Permission.MANAGE_USERS):
        return "people.user_list"
    return "core.learn"


@bp.post("/onboarding/enroll")
@permission_required(Permission.LEARN)
def enroll():
    """Enroll one or many people on a path (from the people list, the team page or a hire's
    page)."""
    _may_enroll_someone()
    back = _back(_fallback())
    try:
        ids = int_list(request.form.getlist("user_ids"), field="user_ids", limit=MAX_BULK * 2)
    except InputError:
        flash(_("Choose the people to enroll from the list."), "error")
        return redirect(back)
    if not ids:
        flash(_("Choose at least one person to enroll."), "error")
        return redirect(back)
    if len(ids) > MAX_BULK:
        flash(_("Enroll at most %(num)d people at once.", num=MAX_BULK), "error")
        return redirect(back)
    people = people_by_id(ids)
    if len(people) != len(ids):
        abort(404)
    if not all(can_enroll_person(current_user, person) for person in people.values()):
        forbid()
    path = request.form.get("path", "").strip()
    start = None
    raw_start = request.form.get("start_date", "").strip()
    if raw_start:
        try:
            start = date.fromisoformat(raw_start)
        except ValueError:
            flash(_("The start date must be a date like 2026-03-31."), "error")
            return redirect(back)
    try:
        result = enroll_many(
            [people[user_id] for user_id in ids],
            path,
            actor=current_user,
            start_date=start,
            replace=request.form.get("replace") == "1",
        )
    except OnboardingError as error:
        discard_changes()
        flash(str(error), "error")
        return redirect(back)
    if result.enrolled:
        flash(
            ngettext("%(num)d person enrolled.", "%(num)d people enrolled.", len(result.enrolled)),
            "success",
        )
    for _person, reason in result.skipped:
        flash(_("Not enrolled: %(reason)s", reason=reason), "error")
    return redirect(back)


@bp.post("/onboarding/enrollments/<int:enrollment_id>/upgrade")
@permission_required(Permission.LEARN)
def upgrade(enrollment_id: int):
    """Move an enrollment to the newest version of its path."""
    _may_enroll_someone()
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or not enrollment.is_active:
        abort(404)
    if not can_enroll_person(current_user, enrollment.user):
        forbid()
    try:
        upgrade_enrollment(enrollment, actor=current_user)
    except OnboardingError as error:
        discard_changes()
        flash(str(error), "error")
    else:
        flash(_("The path is now on its newest version; everything done is kept."), "success")
    return redirect(_back(_fallback()))


# --- calendar ----------------------------------------------------------------------------------


@bp.get("/onboarding/calendar")
@permission_required(Permission.LEARN)
def calendar_settings():
    feed = feeds.feed_of(current_user.id)
    address = (
        url_for("onboarding.calendar_feed", token=feeds.token_of(feed), _external=True)
        if feed
        else None
    )
    g.no_store = True
    return render_template("onboarding/calendar.html", feed=feed, address=address)


@bp.post("/onboarding/calendar")
@permission_required(Permission.LEARN)
def calendar_new():
    replaced = feeds.feed_of(current_user.id) is not None
    feeds.new_feed(current_user)
    if replaced:
        flash(_("Your calendar has a new address; the old one no longer works."), "success")
    else:
        flash(_("Your calendar address is ready. Add it to your calendar app."), "success")
    return redirect(url_for("onboarding.calendar_settings"))


@bp.post("/onboarding/calendar/revoke")
@permission_required(Permission.LEARN)
def calendar_revoke():
    if feeds.revoke_feed(current_user):
        flash(_("Your calendar address no longer works."), "success")
    return redirect(url_for("onboarding.calendar_settings"))


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str):
    """A private calendar feed; the token in the address is the only credential."""
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    body = feeds.calendar_for(user, today())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="onboarding.ics"'
    return response
