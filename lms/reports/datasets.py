"""The exportable tables: the team view, the heatmap, the measures by week and the roster, each
in full (a manager's team, an admin's company) or in aggregate figures only (a trainer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from lms.onboarding.pages import TeamRow
from lms.reports.diagnosis import QUADRANT_LABELS, Quadrant, diagnose_team, quadrant_counts
from lms.reports.heatmap import build_heatmap
from lms.reports.scope import People, Reach
from lms.reports.snapshots import MEASURES, snapshots_of, team_weeks
from lms.skills.services import live_skills


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: list[list[object]]


def _status_label(row: TeamRow) -> str:
    if row.status is None:
        return _("Not enrolled")
    return {
        "behind": _("Behind"),
        "at_risk": _("At risk"),
        "on_track": _("On track"),
    }.get(row.status.health.value, row.status.health.value)


def team_table(people: People, now: datetime, locale: str) -> Table:
    if people.reach is Reach.AGGREGATE:
        enrolled = [row for row in people.rows if row.status is not None]
        counts = quadrant_counts(diagnose_team(enrolled, now))
        return Table(
            "team",
            [_("Quadrant"), _("Hires")],
            [[str(QUADRANT_LABELS[q]), counts[q]] for q in Quadrant],
        )
    header = [
        _("Name"),
        _("E-mail"),
        _("Manager"),
        _("Status"),
        _("Day"),
        _("Phase"),
        _("Progress (%)"),
        _("Overdue"),
        _("Skills below target"),
        _("Quadrant"),
        _("Ability"),
        _("Willingness"),
        _("Suggested action"),
    ]
    rows = []
    diagnoses = diagnose_team(people.rows, now)
    for row, diagnosis in zip(people.rows, diagnoses, strict=True):
        status = row.status
        rows.append(
            [
                row.person.name,
                row.person.email,
                row.person.manager.name if row.person.manager else "",
                _status_label(row),
                status.day if status else None,
                status.current.title_text if status and status.current else "",
                status.percent if status else None,
                row.overdue_count,
                row.below_count,
                diagnosis.label,
                diagnosis.ability,
                diagnosis.willingness_score,
                diagnosis.action(),
            ]
        )
    return Table("team", header, rows)


def heatmap_table(people: People, now: datetime, locale: str) -> Table:
    heatmap = build_heatmap(people.rows)
    names = [skill.title(locale) for skill in heatmap.skills]
    median = [heatmap.median[skill.id] for skill in heatmap.skills]
    if people.reach is Reach.AGGREGATE:
        return Table(
            "skills",
            [_("Skill"), _("Median mastery"), _("Hires with enough evidence")],
            [
                [
                    name,
                    value,
                    sum(1 for row in heatmap.rows if row.cells[skill.id].value is not None),
                ]
                for name, value, skill in zip(names, median, heatmap.skills, strict=True)
            ],
        )
    header = [_("Name"), _("E-mail"), _("Phase")]
    for name in names:
        header += [name, _("%(skill)s target", skill=name)]
    rows = []
    for row in heatmap.rows:
        status = row.row.status
        line: list[object] = [
            row.person.name,
            row.person.email,
            status.current.title_text if status and status.current else "",
        ]
        for skill in heatmap.skills:
            cell = row.cells[skill.id]
            line += [
                round(cell.value, 1) if cell.value is not None else None,
                cell.target,
            ]
        rows.append(line)
    footer: list[object] = [_("Median"), "", ""]
    for value in median:
        footer += [round(value, 1) if value is not None else None, None]
    rows.append(footer)
    return Table("skills", header, rows)


def measures_table(people: People, now: datetime, locale: str) -> Table:
    skills = live_skills()
    names = [skill.title(locale) for skill in skills]
    snapshots = snapshots_of(row.person.id for row in people.rows)
    measure_names = [_("Plan completion"), _("Timeliness (h)"), _("First-pass quality")]
    measure_names.append(_("Problem resolution (h)"))
    if people.reach is Reach.AGGREGATE:
        header = [_("Week"), _("Hires"), _("Ability"), _("Willingness"), *measure_names, *names]
        rows = [
            [
                week.week,
                week.hires,
                week.ability,
                week.willingness,
                *[week.measures[m] for m in MEASURES],
                *[week.mastery[s.id] for s in skills],
            ]
            for week in team_weeks(snapshots, [s.id for s in skills])
        ]
        return Table("measures", header, rows)
    header = [_("Name"), _("E-mail"), _("Week"), _("Week from"), _("Phase"), _("Ability")]
    header += [_("Willingness"), *measure_names, *names]
    rows = []
    for row in people.rows:
        for snap in snapshots.get(row.person.id, []):
            rows.append(
                [
                    row.person.name,
                    row.person.email,
                    snap.week,
                    snap.week_start.isoformat(),
                    snap.phase_id or "",
                    snap.ability,
                    snap.willingness,
                    *[getattr(snap, m) for m in MEASURES],
                    *[snap.mastery.get(s.id) for s in skills],
                ]
            )
    return Table("measures", header, rows)


def roster_table(people: People, now: datetime, locale: str) -> Table:
    if people.reach is Reach.AGGREGATE:
        counts: dict[tuple[str, str], int] = {}
        for row in people.rows:
            phase = row.status.current.title_text if row.status and row.status.current else ""
            key = (phase, _status_label(row))
            counts[key] = counts.get(key, 0) + 1
        return Table(
            "roster",
            [_("Phase"), _("Status"), _("People")],
            [[phase, status, n] for (phase, status), n in sorted(counts.items())],
        )
    header = [_("Name"), _("E-mail"), _("Manager"), _("Roles"), _("Start date"), _("Path")]
    header.append(_("Status"))
    rows = []
    for row in people.rows:
        person = row.person
        rows.append(
            [
                person.name,
                person.email,
                person.manager.name if person.manager else "",
                " ".join(sorted(person.roles)),
                person.start_date.isoformat() if person.start_date else "",
                row.status.path.id if row.status else "",
                _status_label(row),
            ]
        )
    return Table("roster", header, rows)


TABLES: dict[str, Callable[[People, datetime, str], Table]] = {
    "team": team_table,
    "skills": heatmap_table,
    "measures": measures_table,
    "roster": roster_table,
}
