"""Learner pages: the course catalogue, a course's outline, a lesson and its completion."""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.courses import services
from lms.i18n import content_locale

bp = Blueprint("courses", __name__, template_folder="templates")

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
    return render_template("courses/lesson.html", view=view)


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
