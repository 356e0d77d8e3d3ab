"""Roster import: a CSV of `email,name,manager_email,start_date,roles`, all rows checked before any
is applied. Nothing is imported if any row is bad; importing the same file twice changes nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.audit.services import record
from lms.extensions import db
from lms.people.models import ROLE_VALUES, Role, User, UserRole
from lms.people.services import (
    EMAIL_RE,
    AccountData,
    PeopleError,
    create_user,
    normalize_email,
    update_user,
)

COLUMNS = ("email", "name", "manager_email", "start_date", "roles")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
ROLE_SPLIT = re.compile(r"[;|\s]+")


@dataclass(frozen=True)
class RosterProblem:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    manager_email: str | None
    start_date: date | None
    roles: frozenset[str]


@dataclass
class RosterResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def parse_roster(data: bytes) -> tuple[list[RosterRow], list[RosterProblem]]:
    """Decode and check every row; return the rows and every problem found."""
    if len(data) > MAX_BYTES:
        return [], [RosterProblem(0, None, str(_l("The file is larger than 2 MiB.")))]
    if b"\x00" in data:
        return [], [RosterProblem(0, None, str(_l("This is not a CSV text file.")))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return [], [
            RosterProblem(line, None, str(_l("The file is not UTF-8 text. Save it as CSV UTF-8.")))
        ]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [RosterProblem(1, None, str(_l("The file is empty.")))]
    except csv.Error as error:
        return [], [RosterProblem(1, None, str(error))]
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    extra = [name for name in names if name not in COLUMNS]
    if missing or extra or len(set(names)) != len(names):
        return [], [
            RosterProblem(
                1,
                None,
                str(
                    _l(
                        "The first line must name the columns %(columns)s.",
                        columns=",".join(COLUMNS),
                    )
                ),
            )
        ]
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                problems.append(
                    RosterProblem(line, None, str(_l("More than %(n)d rows.", n=MAX_ROWS)))
                )
                break
            if len(values) != len(names):
                problems.append(
                    RosterProblem(
                        line,
                        None,
                        str(
                            _l(
                                "Expected %(expected)d values, found %(found)d.",
                                expected=len(names),
                                found=len(values),
                            )
                        ),
                    )
                )
                continue
            row, row_problems = _check_row(line, dict(zip(names, values, strict=True)))
            problems.extend(row_problems)
            if row is None:
                continue
            if row.email in seen:
                problems.append(
                    RosterProblem(
                        line,
                        "email",
                        str(
                            _l(
                                "%(email)s is already on line %(line)d.",
                                email=row.email,
                                line=seen[row.email],
                            )
                        ),
                    )
                )
                continue
            seen[row.email] = line
            rows.append(row)
    except csv.Error as error:
        problems.append(RosterProblem(reader.line_num, None, str(error)))
    return rows, problems


def _check_row(line: int, values: dict[str, str]) -> tuple[RosterRow | None, list[RosterProblem]]:
    problems: list[RosterProblem] = []
    email = normalize_email(values["email"])
    if not EMAIL_RE.match(email) or len(email) > 254:
        problems.append(
            RosterProblem(
                line, "email", str(_l("%(value)r is not an e-mail address.", value=email[:80]))
            )
        )
    name = values["name"].strip()
    if not name or len(name) > 120:
        problems.append(
            RosterProblem(line, "name", str(_l("A name of 1 to 120 characters is required.")))
        )
    manager_email = normalize_email(values["manager_email"]) or None
    if manager_email is not None and not EMAIL_RE.match(manager_email):
        problems.append(
            RosterProblem(
                line,
                "manager_email",
                str(_l("%(value)r is not an e-mail address.", value=manager_email[:80])),
            )
        )
    if manager_email is not None and manager_email == email:
        problems.append(
            RosterProblem(line, "manager_email", str(_l("A person cannot be their own manager.")))
        )
    start: date | None = None
    raw_date = values["start_date"].strip()
    if raw_date:
        try:
            start = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(
                RosterProblem(
                    line,
                    "start_date",
                    str(_l("%(value)r is not a date like 2026-03-31.", value=raw_date[:40])),
                )
            )
    roles = frozenset(role.lower() for role in ROLE_SPLIT.split(values["roles"].strip()) if role)
    unknown = sorted(roles - set(ROLE_VALUES))
    if unknown:
        problems.append(
            RosterProblem(
                line,
                "roles",
                str(
                    _l(
                        "Unknown role %(role)r; use trainer, manager or admin.",
                        role=unknown[0][:40],
                    )
                ),
            )
        )
    if problems:
        return None, problems
    return RosterRow(line, email, name, manager_email, start, roles), []


def _check_against_database(rows: list[RosterRow], actor: User | None) -> list[RosterProblem]:
    """Managers must exist (in the file or already) and the chain must have no loop."""
    manager_alias = sa.orm.aliased(User)
    existing = dict(
        db.session.execute(
            sa.select(User.email, manager_alias.email).outerjoin(
                manager_alias, User.manager_id == manager_alias.id
            )
        ).all()
    )
    chain = dict(existing)
    chain.update({row.email: row.manager_email for row in rows})
    problems: list[RosterProblem] = []
    for row in rows:
        if row.manager_email is not None and row.manager_email not in chain:
            problems.append(
                RosterProblem(
                    row.line,
                    "manager_email",
                    str(
                        _l(
                            "No person %(email)s in the file or the system.",
                            email=row.manager_email,
                        )
                    ),
                )
            )
            continue
        seen = {row.email}
        current = row.manager_email
        while current is not None:
            if current in seen:
                problems.append(
                    RosterProblem(
                        row.line,
                        "manager_email",
                        str(_l("%(email)s would be in a management loop.", email=row.email)),
                    )
                )
                break
            seen.add(current)
            current = chain.get(current)
        if actor is not None and row.email == actor.email and Role.ADMIN not in row.roles:
            problems.append(
                RosterProblem(row.line, "roles", str(_l("You cannot remove your own admin role.")))
            )
    return problems or _check_admins_remain(rows)


def _check_admins_remain(rows: list[RosterRow]) -> list[RosterProblem]:
    """The file may not take the admin role from every active admin."""
    admins = set(
        db.session.scalars(
            sa.select(User.email)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
        )
    )
    by_email = {row.email: row for row in rows}
    removed = sorted(
        (
            by_email[email]
            for email in admins
            if email in by_email and Role.ADMIN not in by_email[email].roles
        ),
        key=lambda row: row.line,
    )
    remaining = {email for email in admins if email not in by_email} | {
        row.email for row in rows if Role.ADMIN in row.roles
    }
    if not removed or remaining:
        return []
    return [
        RosterProblem(
            removed[-1].line,
            "roles",
            str(_l("This would leave no active admin: keep the admin role of someone.")),
        )
    ]


def _differs(user: User, row: RosterRow) -> bool:
    manager_email = user.manager.email if user.manager else None
    return (user.name, manager_email, user.start_date, user.roles) != (
        row.name,
        row.manager_email,
        row.start_date,
        row.roles,
    )


def import_roster(data: bytes, *, actor: User | None, apply: bool = True) -> RosterResult:
    """Check the whole file, then (if `apply` and nothing is wrong) add and update the people.
    The caller commits; when there are problems nothing has been changed."""
    rows, problems = parse_roster(data)
    if not problems:
        problems = _check_against_database(rows, actor)
    result = RosterResult(problems=sorted(problems, key=lambda p: (p.line, p.column or "")))
    if problems:
        return result
    emails = {row.email for row in rows} | {row.manager_email for row in rows if row.manager_email}
    users = {
        user.email: user
        for user in db.session.scalars(sa.select(User).where(User.email.in_(emails)))
    }
    new_rows = [row for row in rows if row.email not in users]
    changed_rows = [row for row in rows if row.email in users and _differs(users[row.email], row)]
    result.added, result.updated = len(new_rows), len(changed_rows)
    result.unchanged = len(rows) - result.added - result.updated
    if not apply:
        return result
    problem = _apply(new_rows, changed_rows, users, actor)
    if problem is not None:
        # A change made meanwhile (say, the other admin lost the role): nothing is kept, the
        # caller rolls back because the result is not ok.
        result.problems = [problem]
        return result
    record("roster.imported", actor=actor, added=result.added, updated=result.updated)
    db.session.flush()
    return result


def _apply(
    new_rows: list[RosterRow],
    changed_rows: list[RosterRow],
    users: dict[str, User],
    actor: User | None,
) -> RosterProblem | None:
    """Add and update the people; the first refusal of the services, as a problem of its line."""
    # People first, managers second: a manager may be listed after the people reporting to them.
    row = None
    try:
        for row in new_rows:
            users[row.email] = create_user(
                AccountData(
                    email=row.email, name=row.name, roles=row.roles, start_date=row.start_date
                ),
                actor=actor,
            )
        for row in [*new_rows, *changed_rows]:
            user = users[row.email]
            data = AccountData(
                email=row.email,
                name=row.name,
                roles=row.roles,
                manager=users[row.manager_email] if row.manager_email else None,
                start_date=row.start_date,
                locale=user.locale,
            )
            update_user(user, data, actor=actor)
    except PeopleError as error:
        return RosterProblem(row.line if row else 0, error.field, str(error))
    return None
