"""Learner pages: the course catalogue, a course's outline, a lesson and its completion."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.courses import services
from lms.courses.fragments import init_cache
from lms.i18n import content_locale

bp = Blueprint("courses", __name__, template_folder="templates")
bp.record_once(lambda state: init_cache(state.app))

_ITEM_RULES = {"quiz": "quizzes", "scenario": "scenarios"}


def _endpoint_for(kind: str) -> tuple[str, str] | None:
    """The endpoint (and its argument) serving `/quizzes/<id>` or `/scenarios/<id>`, if any."""
    cache = current_app.extensions.setdefault("courses.item_endpoints", {})
    if kind not in cache:
        pattern = re.compile(rf"^/{_ITEM_RULES[kind]}/<(?:string:)?(\w+)>$")
        cache[kind] = None
        for rule in current_app.url_map.iter_rules():
            match = pattern.match(rule.rule)
            if match and "GET" in (rule.methods or ()):
                cache[kind] = (rule.endpoint, match.group(1))
                break
    return cache[kind]


@bp.app_template_global()
def course_item_url(kind: str, ref: str, course_id: str | None = None) -> str:
    """The learner's page of a course item: a lesson, a quiz or a drill."""
    if kind == "lesson":
        return url_for("courses.lesson", course_id=course_id, lesson_id=ref)
    found = _endpoint_for(kind)
    if found is not None:
        endpoint, argument = found
        return url_for(endpoint, **{argument: ref})
    return f"{request.script_root}/{_ITEM_RULES[kind]}/{quote(ref)}"


@bp.get("/courses")
@permission_required(Permission.LEARN)
def catalogue():
    cards = services.catalogue(current_user, content_locale())
    return render_template("courses/catalogue.html", cards=cards)


@bp.get("/courses/<course_id>")
@permission_required(Permission.LEARN)
def detail(course_id: str):
    outline = services.course_outline(course_id, current_user, content_locale())
    if outline is None:
        abort(404)
    return render_template("courses/detail.html", outline=outline)


@bp.get("/courses/<course_id>/lessons/<lesson_id>")
@permission_required(Permission.LEARN)
def lesson(course_id: str, lesson_id: str):
    view = services.lesson_view(course_id, lesson_id, current_user, content_locale())
    if view is None:
        abort(404)
    return _revalidated(view)


def _revalidated(view: services.LessonView):
    """The lesson page with an ETag and Last-Modified, or 304 when the browser's copy is still
    what this reader would get: same version, completion, languages and unread count."""
    from flask import g, session

    from lms.notifications.services import unread_count

    g.unread_notifications = unread_count(current_user.id)
    completion = view.completion
    basis = "|".join(
        str(part)
        for part in (
            view.version_id,
            view.course_title,
            view.previous,
            view.next,
            view.retired,
            view.locale,
            get_locale(),
            current_user.id,
            current_user.name,
            completion.id if completion else "",
            completion.completed_at.isoformat() if completion else "",
            g.unread_notifications,
        )
    )
    etag = hashlib.sha256(basis.encode()).hexdigest()[:32]
    modified = max(view.modified_at, completion.completed_at if completion else view.modified_at)
    pending_flash = bool(session.get("_flashes"))
    if not pending_flash and request.if_none_match.contains(etag):
        response = current_app.response_class(status=304)
    else:
        response = current_app.make_response(render_template("courses/lesson.html", view=view))
    response.set_etag(etag)
    response.last_modified = modified.replace(microsecond=0, tzinfo=UTC)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response


@bp.get("/lessons/<lesson_id>")
@permission_required(Permission.LEARN)
def lesson_by_id(lesson_id: str):
    """A lesson named by its id alone (as an onboarding path names it): its page in its course."""
    course_id = services.course_of_lesson(lesson_id)
    if course_id is None:
        abort(404)
    return redirect(url_for("courses.lesson", course_id=course_id, lesson_id=lesson_id))


@bp.post("/courses/<course_id>/lessons/<lesson_id>/done")
@permission_required(Permission.LEARN)
def mark_done(course_id: str, lesson_id: str):
    version = services.live_lesson_version(course_id, lesson_id)
    if version is None:
        abort(404)
    services.complete_lesson(current_user, version)
    flash(_("Marked as done."), "success")
    return redirect(url_for("courses.lesson", course_id=course_id, lesson_id=lesson_id))


@bp.post("/courses/<course_id>/lessons/<lesson_id>/undo")
@permission_required(Permission.LEARN)
def undo_done(course_id: str, lesson_id: str):
    version = services.live_lesson_version(course_id, lesson_id)
    if version is None:
        abort(404)
    if services.undo_completion(current_user, version.item):
        flash(_("The lesson is no longer marked as done."), "info")
    return redirect(url_for("courses.lesson", course_id=course_id, lesson_id=lesson_id))
