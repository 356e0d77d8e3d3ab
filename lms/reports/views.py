"""The reports pages: the team's skills heatmap, progress by week, cohorts, the trainer's
analytics and the CSV exports; plus what /team and /team/<id> show of ability x willingness."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    forbid,
    get_person_or_404,
    has_permission,
    permission_required,
)
from lms.i18n import content_locale
from lms.onboarding.pages import FILTERS
from lms.planning.measures import TARGETS, willingness
from lms.reports import analytics
from lms.reports.datasets import TABLES
from lms.reports.diagnosis import (
    ABLE_AT,
    QUADRANT_LABELS,
    WILLING_AT,
    Quadrant,
    chart_geometry,
    chart_points,
    diagnose,
    diagnose_team,
    quadrant_counts,
)
from lms.reports.exports import csv_text, xlsx_bytes
from lms.reports.heatmap import BANDS, team_heatmap
from lms.reports.home import staff_counts
from lms.reports.scope import people_for
from lms.reports.snapshots import MEASURES, cohorts, snapshots_of, team_weeks
from lms.skills.services import live_skills, recommend_next
from lms.timeutil import today, utcnow

bp = Blueprint("reports", __name__, template_folder="templates")


@bp.app_context_processor
def _header_counts() -> dict:
    def header_counts():
        if not getattr(current_user, "is_authenticated", False):
            return None
        return staff_counts(current_user, today())

    return {"staff_header_counts": header_counts}


# --- what the team pages include ---------------------------------------------------------------


def team_overview_context(rows) -> dict:
    """The quadrant chart and table of /team, for the rows the page lists."""
    diagnoses = diagnose_team(rows, utcnow())
    points = chart_points(diagnoses)
    return {
        "diagnoses": diagnoses,
        "quadrant_counts": quadrant_counts(diagnoses),
        "quadrant_labels": QUADRANT_LABELS,
        "Quadrant": Quadrant,
        "chart": chart_geometry(),
        "chart_points": points,
        "chart_numbers": {point.diagnosis.person.id: point.number for point in points},
    }


def _lesson_for(person, diagnosis) -> str | None:
    skill = diagnosis.train_skill
    if skill is None:
        return None
    found = recommend_next(person.id, 5)
    locale = content_locale()
    for recommendation in found:
        if recommendation.skill.id == skill.skill_id:
            return f"“{recommendation.title_in(locale)}”"
    return None


def member_report_context(person, page) -> dict:
    """The hire's quadrant with its reasons and the suggested action, for /team/<id>."""
    status = page.status if page is not None else None
    diagnosis = diagnose(person, status, willingness(person, utcnow()))
    return {
        "diagnosis": diagnosis,
        "diagnosis_action": diagnosis.action(_lesson_for(person, diagnosis)),
        "quadrant_cuts": (ABLE_AT, WILLING_AT),
    }


# --- pages -------------------------------------------------------------------------------------


@bp.get("/team/skills")
@permission_required(Permission.VIEW_TEAM)
def skills_heatmap():
    phase = request.args.get("phase", "")[:64]
    status_filter = request.args.get("status", "all")
    status_filter = status_filter if status_filter in FILTERS else "all"
    sort = request.args.get("sort", "")[:64]
    reverse = request.args.get("reverse") == "1"
    heatmap = team_heatmap(
        current_user.id,
        today(),
        phase=phase,
        status_filter=status_filter,
        sort=sort,
        reverse=reverse,
    )
    return render_template(
        "reports/heatmap.html",
        heatmap=heatmap,
        phase=phase,
        status_filter=status_filter,
        sort=sort,
        reverse=reverse,
        # translated once per page, not once per cell (a 50 x 20 table renders 2,000 of them)
        bands={band: (symbol, str(words)) for band, (symbol, words) in BANDS.items()},
        skills_url=url_for("skills.person_skills", user_id=0)[:-1],
        locale=content_locale(),
    )


@bp.get("/team/progress")
@permission_required(Permission.VIEW_TEAM)
def team_progress():
    people = people_for(current_user, today())
    rows = people.rows if people is not None else []
    skills = live_skills()
    snapshots = snapshots_of(row.person.id for row in rows)
    return render_template(
        "reports/team_progress.html",
        weeks=team_weeks(snapshots, [skill.id for skill in skills]),
        skills=skills,
        measures=MEASURES,
        targets=TARGETS,
        locale=content_locale(),
    )


@bp.get("/team/cohorts")
@permission_required(Permission.VIEW_TEAM)
def team_cohorts():
    people = people_for(current_user, today())
    rows = people.rows if people is not None else []
    return render_template(
        "reports/cohorts.html", cohorts=cohorts(snapshots_of(row.person.id for row in rows))
    )


@bp.get("/team/<int:user_id>/progress")
@permission_required(Permission.VIEW_TEAM)
def member_progress(user_id: int):
    person = get_person_or_404(user_id)
    skills = live_skills()
    return render_template(
        "reports/member_progress.html",
        person=person,
        weeks=snapshots_of([person.id])[person.id],
        skills=skills,
        measures=MEASURES,
        targets=TARGETS,
        locale=content_locale(),
    )


@bp.get("/reports/analytics")
@permission_required(Permission.VIEW_CONTENT_ANALYTICS)
def trainer_analytics():
    return render_template(
        "reports/analytics.html",
        funnels=analytics.course_funnels(),
        distribution=analytics.skill_distribution(content_locale()),
        bands=analytics.DISTRIBUTION_BANDS,
        skill_titles={
            skill.id: (skill.name or {}).get(content_locale())
            or (skill.name or {}).get("en")
            or skill.id
            for skill in live_skills()
        },
        locale=content_locale(),
    )


@bp.get("/reports/analytics/<name>.csv")
@permission_required(Permission.VIEW_CONTENT_ANALYTICS)
def export_analytics(name: str):
    table = analytics.TABLES.get(name)
    if table is None:
        abort(404)
    found = table(content_locale())
    return _csv_response(found.name, found.header, found.rows)


@bp.get("/reports/export/<name>.<any(csv, xlsx):fmt>")
@permission_required(Permission.LEARN)
def export(name: str, fmt: str):
    build = TABLES.get(name)
    if build is None:
        abort(404)
    people = people_for(current_user, today())
    if people is None:
        forbid()
    table = build(people, utcnow(), content_locale())
    filename = f"{table.name}-{people.reach.value}"
    if fmt == "xlsx":
        return _xlsx_response(filename, table.header, table.rows)
    return _csv_response(filename, table.header, table.rows)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_response(name: str, header, rows) -> Response:
    filename = f"{name}-{today().isoformat()}.xlsx"
    response = Response(xlsx_bytes(name, header, rows), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_response(name: str, header, rows) -> Response:
    filename = f"{name}-{today().isoformat()}.csv"
    response = Response(csv_text(header, rows), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def may_export(user) -> bool:
    return any(
        has_permission(user, p)
        for p in (Permission.MANAGE_USERS, Permission.VIEW_TEAM, Permission.VIEW_CONTENT_ANALYTICS)
    )
