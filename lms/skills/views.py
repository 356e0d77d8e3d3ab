"""/skills: a learner's mastery, targets and gaps, with what to do next; a manager sees the same
page for anyone in their team."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from lms.auth.permissions import Permission, get_person_or_404, permission_required
from lms.i18n import content_locale
from lms.skills import history, rounding
from lms.skills.charts import radar
from lms.skills.services import (
    group_label,
    grouped,
    recommend_next,
    shown_rows,
    skill_overview,
)
from lms.timeutil import today

bp = Blueprint("skills", __name__, template_folder="templates")


@bp.app_template_filter("shown")
def shown_filter(value, threshold=None) -> str:
    """A score, mastery or gap as every page shows it (lms.skills.rounding): ``{{ x|shown }}``,
    ``{{ score|shown(pass_score) }}``."""
    return rounding.text(value, threshold)


@bp.app_template_filter("threshold")
def threshold_filter(value) -> str:
    """A target or pass score: whole when whole, else with its decimal."""
    return rounding.threshold_text(value)


RECOMMENDATIONS = 5


def _render(person, *, is_own: bool):
    locale = content_locale()
    show_all = request.args.get("all") == "1"
    every_row = skill_overview(person.id, today())
    rows = shown_rows(every_row, show_all=show_all)
    found = history.histories(person.id)
    return render_template(
        "skills/skills.html",
        histories=found,
        sparks=history.sparks(found, {row.id: row.target for row in rows}),
        person=person,
        is_own=is_own,
        groups=grouped(rows),
        rows=rows,
        chart=radar(rows, locale),
        has_targets=any(row.target is not None for row in rows),
        recommendations=recommend_next(
            person.id, RECOMMENDATIONS, rows=every_row, show_all=show_all
        ),
        show_all=show_all,
        hidden=len(every_row) - len(rows),
        locale=locale,
        group_label=group_label,
    )


@bp.get("/skills")
@permission_required(Permission.LEARN)
def my_skills():
    return _render(current_user, is_own=True)


@bp.get("/skills/<int:user_id>")
@permission_required(Permission.LEARN)
def person_skills(user_id: int):
    person = get_person_or_404(user_id)
    return _render(person, is_own=person.id == current_user.id)
