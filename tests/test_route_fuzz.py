"""Hostile input on every route, for every role: never a 500, and a refusal writes nothing.

The routes come from the application's URL map and the roles and the objects their URLs name from
the authorization matrix (tests/test_authorization.py), so a new route is fuzzed by construction.
The parameters are the names the code reads from query strings and forms (found in the source of
`lms`, plus the names built at run time listed below). Every request is checked twice:

- no 500 (an unexpected exception propagates out of the test client and is reported);
- an answer of 400-499 leaves every row of every table as it was.

`test_every_route_and_role_refuses_hostile_values` sends each hostile value in every parameter
at once, and in each path argument; `test_random_hostile_requests` lets hypothesis mix them.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lms
from lms.core.inputs import DB_INT_MAX, INT_MAX
from tests.helpers import login_as
from tests.test_authorization import EXPECTED, ROLES, world  # noqa: F401  (the fixture)

# Routes the fuzz leaves alone, and why.
EXCLUDED: dict[str, str] = {
    "static": "Flask's file server: reads no parameters, and safe_join answers 404 to odd names",
}

# Names built at run time (f-strings), which the source scan cannot see.
DYNAMIC_PARAMETERS = (
    "title-en",
    "title-zh_CN",
    "body-en",
    "summary-en",
    "module-0-title-en",
    "module-0-item",
    "module-0-new-item",
    "goal-0-text",
    "goal-0-target",
    "goal-0-unit",
    "goal-0-deadline",
    "action-0-text",
    "action-0-owner",
    "action-0-due",
    "rating-objection-handling",
    "choice-0-next",
    "choice-0-text-en",
    "choice-0-points-closing",
    "rubric-0-skill",
    "rubric-0-text-en",
    "say-en",
    "prompt-en",
    "outcome-1",
    "achieved-1",
)

_READ_PATTERNS = (
    re.compile(r'(?:args|form|values)\.get(?:list)?\(\s*"([^"]+)"'),
    re.compile(r'int_(?:arg|form)\(\s*"([^"]+)"'),
    re.compile(r'form\[\s*"([^"]+)"\s*\]'),
    re.compile(r"^\s+(\w+) = \w*Field\(", re.MULTILINE),
)


def read_parameters() -> tuple[str, ...]:
    """Every query or form name the application reads."""
    names = set(DYNAMIC_PARAMETERS)
    for path in Path(lms.__file__).parent.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for pattern in _READ_PATTERNS:
            names.update(pattern.findall(source))
    return tuple(sorted(names))


PARAMETERS = read_parameters()
DEEP_JSON = "[" * 5_000 + "]" * 5_000
# Longer than any String column (500), short enough for 87 fields in one query string.
LONG = "x" * 1_000
NESTED = "[" * 40 + "]" * 40

# Sent in every parameter at once: each allowed role gets the first four on every route, and
# one of the others in turn; a role the route refuses gets one value (its view never runs).
SWEEP_VALUES = ("²", str(DB_INT_MAX + 1), LONG, "a\x00b")
ROTATING_VALUES = ("٣", "１２", "-1", "9" * 400, NESTED, "", "0", str(INT_MAX + 1), str(DB_INT_MAX))
# In path arguments (a NUL there is answered before any view runs; see test_inputs).
PATH_VALUES = (
    "²",
    "٣",
    str(INT_MAX + 1),
    str(DB_INT_MAX),
    str(DB_INT_MAX + 1),
    "9" * 40,
    "-1",
    "x" * 300,
    "0",
)

hostile_text = st.one_of(
    st.sampled_from(
        SWEEP_VALUES
        + ROTATING_VALUES
        + ("1", " ", "null", "[]", '{"a":', "1e999", "1.5", "x" * 100_000, DEEP_JSON)
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
        max_size=30,
    ),
)


class Table:
    """The routes to fuzz: (endpoint, method, rule, valid path arguments, expectation)."""

    def __init__(self, app, ids: dict) -> None:
        adapter = app.url_map.bind("localhost")
        self.routes = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint in EXCLUDED:
                continue
            method, template, expectation = EXPECTED[rule.endpoint]
            url = template.format(**ids)
            _endpoint, valid = adapter.match(url, method=method)
            # An endpoint with two rules (a "new" page and an edit page) has one URL in the
            # matrix; the other rule's own arguments get a plain id.
            valid = {**{argument: "x" for argument in rule.arguments}, **valid}
            for verb in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                self.routes.append((rule.endpoint, verb, rule, valid, expectation))


def build_url(rule, values: dict) -> str:
    """The rule's path with `values` put in verbatim (quoted), bypassing converters."""

    def part(match: re.Match) -> str:
        return quote(str(values[match.group(1)]), safe="")

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", part, rule.rule)


def snapshot(db) -> tuple[int, ...]:
    """The number of rows of every table, in one statement."""
    counts = [
        sa.select(sa.func.count()).select_from(table).scalar_subquery()
        for table in db.metadata.sorted_tables
    ]
    state = tuple(db.session.execute(sa.select(*counts)).one())
    db.session.commit()
    return state


class Fuzzer:
    def __init__(self, app, db, world) -> None:  # noqa: F811
        self.app, self.db, self.world = app, db, world
        self.table = Table(app, world.ids)
        self.state = snapshot(db)
        self.failures: list[str] = []
        self.sent = 0

    def send(self, role: str, method: str, url: str, *, fields=None, body=None) -> None:
        client = self.app.test_client()
        if role != "anonymous":
            user = self.world.users[role]
            self.db.session.refresh(user)
            login_as(client, user)
        kwargs: dict = {}
        if body is not None:
            kwargs = {"data": body, "content_type": "application/json"}
        elif method == "GET":
            kwargs = {"query_string": fields or {}}
        else:
            kwargs = {"data": fields or {}}
        label = f"{method} {url[:120]} as {role} ({_describe(fields, body)})"
        self.sent += 1
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # a 500: the app propagates it in tests
            self.db.session.rollback()
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            self.state = snapshot(self.db)
            return
        status = response.status_code
        response.close()
        after = snapshot(self.db)
        if status >= 500:
            self.failures.append(f"{label}: answered {status}")
        elif 400 <= status < 500 and after != self.state:
            tables = self.db.metadata.sorted_tables
            changed = [t.name for t, a, b in zip(tables, self.state, after, strict=True) if a != b]
            self.failures.append(f"{label}: answered {status} but changed {changed}")
        self.state = after


def _describe(fields, body) -> str:
    if body is not None:
        return f"JSON body of {len(body)} chars"
    values = {repr(v)[:12] for v in (fields or {}).values()}
    return f"{len(fields or {})} fields: {', '.join(sorted(values))[:80]}"


@pytest.fixture
def fuzzer(app, db, world):  # noqa: F811
    return Fuzzer(app, db, world)


def test_the_fuzz_knows_the_parameters_the_views_read():
    for name in ("q", "go", "answer", "version", "choice", "step", "user_ids", "page", "email"):
        assert name in PARAMETERS


def test_every_route_and_role_refuses_hostile_values(fuzzer):
    turn = 0
    for _endpoint, method, rule, valid, expectation in fuzzer.table.routes:
        url = build_url(rule, valid)
        allowed = [role for role, letter in zip(ROLES, expectation, strict=True) if letter == "A"]
        for role in ROLES:
            turn += 1
            rotating = ROTATING_VALUES[turn % len(ROTATING_VALUES)]
            values = [*SWEEP_VALUES, rotating] if role in allowed else [rotating]
            for value in values:
                fuzzer.send(role, method, url, fields=dict.fromkeys(PARAMETERS, value))
        role = allowed[0] if allowed else "anonymous"
        if method == "POST":
            fuzzer.send(role, method, url, body=DEEP_JSON)
        for argument in sorted(rule.arguments):
            turn += 1
            value = PATH_VALUES[turn % len(PATH_VALUES)]
            fuzzer.send(role, method, build_url(rule, {**valid, argument: value}))
    assert not fuzzer.failures, f"{len(fuzzer.failures)} of {fuzzer.sent}:\n" + "\n".join(
        fuzzer.failures[:60]
    )


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_hostile_requests(fuzzer, data):
    endpoint, method, rule, valid, _expectation = data.draw(
        st.sampled_from(fuzzer.table.routes), label="route"
    )
    role = data.draw(st.sampled_from(ROLES), label="role")
    path = dict(valid)
    for argument in sorted(rule.arguments):
        if data.draw(st.booleans(), label=f"hostile {argument}"):
            path[argument] = data.draw(hostile_text, label=argument)
    names = data.draw(st.lists(st.sampled_from(PARAMETERS), max_size=6, unique=True))
    fields = {name: data.draw(hostile_text, label=name) for name in names}
    body = None
    if method == "POST" and data.draw(st.integers(0, 4), label="json") == 0:
        body = data.draw(st.sampled_from([DEEP_JSON, '{"a": ' * 2_000, "{}", "[1, 2]"]))
    fuzzer.send(role, method, build_url(rule, path), fields=fields, body=body)
    assert not fuzzer.failures, "\n".join(fuzzer.failures)
