"""Reading values out of requests: whole numbers, JSON and text, each refused clearly when bad.

Every view that needs a number from a form, a query string or a JSON document asks `parse_int`
(or `int_arg` / `int_form` / `int_list` / `page_arg`) for it. The rules:

- only the ASCII digits 0-9 (``int()`` alone also takes ``"٣"``, full-width digits and, after an
  ``isdigit()`` check, fails with ``"²"``); a sign only when the caller's domain has negatives;
- within the range the database stores (an INTEGER column's by default, never beyond BIGINT's),
  and within the caller's smaller domain.

A bad value raises `InputError`, which carries a message for people; the application answers it
with 400 and that message (`register_input_rules`), or a view catches it to show a form error.

`<int:...>` URL parts use `DatabaseIntConverter`, so an id outside the stored range is simply a
page that does not exist (404). JSON documents are read by `parse_json` only, which refuses
documents that are too large or nested too deeply before the parser sees them. Text values with
a NUL character (which PostgreSQL cannot store) are refused for the whole request.
"""

from __future__ import annotations

import builtins
import json
import re
from collections.abc import Iterable
from typing import Any

from flask import Flask, Request, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

# The widest integer any column stores (BIGINT): no parsed value ever lies outside it.
DB_INT_MIN = -(2**63)
DB_INT_MAX = 2**63 - 1
# The range of an `sa.Integer` column (INTEGER is 32-bit on PostgreSQL; a larger value compared
# with one fails there): the default domain of parsed numbers and of `<int:...>` ids.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1

JSON_MAX_DEPTH = 32
JSON_MAX_CHARS = 200_000

_UNSIGNED = re.compile(r"[0-9]+", re.ASCII)
_SIGNED = re.compile(r"[-+]?[0-9]+", re.ASCII)
# More significant digits than any value in range has: refused before int() is asked.
_MAX_DIGITS = 19


def is_ascii_digits(text: str) -> bool:
    """Whether `text` is one or more of the digits 0-9 and nothing else (``str.isdigit`` also
    accepts "²" or "١", which ``int`` then refuses)."""
    return _UNSIGNED.fullmatch(text) is not None


def _whole_number(field: str) -> Any:
    return _l("“%(field)s” must be a whole number written with the digits 0-9.", field=field)


def _out_of_range(field: str, minimum: int, maximum: int) -> Any:
    return _l(
        "“%(field)s” must be a whole number from %(minimum)s to %(maximum)s.",
        field=field,
        minimum=minimum,
        maximum=maximum,
    )


NUL_CHARACTER = _l(
    "The request contains a NUL character, which no field accepts. Remove it and try again."
)
JSON_NOT_AN_OBJECT = _l("The request's JSON must be an object of named fields.")


class InputError(ValueError):
    """A request value that cannot be accepted; `message` says why, for people."""

    def __init__(self, field: str, message: Any) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


def parse_int(
    raw: object,
    *,
    field: str,
    minimum: int = 0,
    maximum: int = INT_MAX,
) -> int:
    """`raw` (a string, or an int from a JSON document) as an int within [`minimum`,
    `maximum`] (by default an `sa.Integer` column's range; never beyond BIGINT's); else
    `InputError`.

    Surrounding ASCII spaces are ignored; a leading ``+`` or ``-`` only counts when `minimum`
    is negative, so an id or a position never takes a sign."""
    minimum, maximum = max(minimum, DB_INT_MIN), min(maximum, DB_INT_MAX)
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip(" \t\r\n")
        pattern = _SIGNED if minimum < 0 else _UNSIGNED
        if not pattern.fullmatch(text):
            raise InputError(field, _whole_number(field))
        if len(text.lstrip("+-").lstrip("0")) > _MAX_DIGITS:
            raise InputError(field, _out_of_range(field, minimum, maximum))
        value = int(text)
    else:
        raise InputError(field, _whole_number(field))
    if not minimum <= value <= maximum:
        raise InputError(field, _out_of_range(field, minimum, maximum))
    return value


def optional_int(raw: str | None, *, field: str, minimum: int = 0, maximum: int = INT_MAX):
    """Like `parse_int`, but a missing or blank value is None."""
    if raw is None or not str(raw).strip():
        return None
    return parse_int(raw, field=field, minimum=minimum, maximum=maximum)


def int_arg(name: str, default: int | None = None, **domain: int) -> int | None:
    """The query-string value `name` as an int (`parse_int`'s domain keywords), or `default`
    when it is absent or blank."""
    value = optional_int(request.args.get(name), field=name, **domain)
    return default if value is None else value


def int_form(name: str, default: int | None = None, **domain: int) -> int | None:
    """The form value `name` as an int, or `default` when it is absent or blank."""
    value = optional_int(request.form.get(name), field=name, **domain)
    return default if value is None else value


def int_list(values: Iterable[str], *, field: str, limit: int, **domain: int) -> list[int]:
    """Every value as an int, sorted and without repeats; more than `limit` values, or any
    bad one, is an `InputError`."""
    values = list(values)
    if len(values) > limit:
        message = _l(
            "“%(field)s” has too many values (at most %(maximum)s).", field=field, maximum=limit
        )
        raise InputError(field, message)
    return sorted({parse_int(value, field=field, **domain) for value in values})


def page_arg(per_page: int) -> int:
    """The ``page`` query value for a paginated list: 1 when absent; a page number or a first
    row beyond the database's range is refused."""
    return int_arg("page", 1, minimum=1, maximum=min(INT_MAX, DB_INT_MAX // per_page))


# --- JSON -------------------------------------------------------------------------------------


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether `text` opens more than `limit` arrays/objects inside each other, counted without
    parsing (and so without recursion); brackets inside strings do not count."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _json_invalid(field: str) -> Any:
    return _l("“%(field)s” is not a valid JSON document.", field=field)


def parse_json(
    text: str | bytes,
    *,
    field: str = "JSON",
    max_chars: int = JSON_MAX_CHARS,
    max_depth: int = JSON_MAX_DEPTH,
    **loads_options: Any,
) -> Any:
    """The JSON document `text`, refused with `InputError` when it is too large, nested more
    than `max_depth` levels or not JSON at all. The one place JSON sent by people is parsed;
    `loads_options` go to `json.loads`."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(field, _json_invalid(field)) from None
    if len(text) > max_chars:
        message = _l(
            "“%(field)s” is too large (at most %(maximum)s characters).",
            field=field,
            maximum=max_chars,
        )
        raise InputError(field, message)
    if json_depth_exceeds(text, max_depth):
        message = _l(
            "“%(field)s” is nested too deeply (at most %(maximum)s levels).",
            field=field,
            maximum=max_depth,
        )
        raise InputError(field, message)
    try:
        return json.loads(text, **loads_options)
    except (ValueError, RecursionError):
        raise InputError(field, _json_invalid(field)) from None


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, reading through `parse_json`: ``request.get_json()`` refuses deep
    or oversized bodies like every other JSON input."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return parse_json(s, field="JSON", **kwargs)


class BoundedRequest(Request):
    """Flask's request, passing a refused JSON body's own message on (Flask's default is a
    generic 400)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, InputError):
            raise e
        return super().on_json_loading_failed(e)


# --- URL converter and request checks --------------------------------------------------------


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` limited to ASCII digits and an `sa.Integer` column's range (or the rule's
    own `max`, at most BIGINT's): anything else is a page that does not exist (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False) -> None:
        low = INT_MIN if min is None and signed else min
        high = INT_MAX if max is None else builtins.min(max, DB_INT_MAX)
        super().__init__(map, fixed_digits, low, high, signed)


def has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def reports_control_characters(view):
    """Mark a view whose form names each field holding a control character (NUL included) in
    its own error message: the request-wide NUL refusal then leaves its form values to it."""
    view.reports_control_characters = True
    return view


def request_has_nul() -> bool:
    """Whether the path, a query value or key, or a form value or key holds a NUL character
    (form values are left to a view marked with `reports_control_characters`)."""
    if "\x00" in request.path:
        return True
    sources = [request.args]
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "reports_control_characters", False):
        sources.append(request.form)
    for multi in sources:
        for key, values in multi.lists():
            if "\x00" in key or has_nul(values):
                return True
    return False


def request_json_is_not_an_object() -> bool:
    """Whether the request sends a JSON body that is not an object: every JSON input of the app
    (forms read from JSON, autosaves) is an object of named fields."""
    if not request.is_json or not request.get_data(cache=True):
        return False
    return not isinstance(request.get_json(), dict)


def register(app: Flask) -> None:
    """Install the converter (before any rule is added), bounded JSON and the NUL check."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.json = BoundedJSONProvider(app)
    app.request_class = BoundedRequest

    @app.before_request
    def _refuse_nul():
        if request_has_nul():
            raise InputError("request", NUL_CHARACTER)
        if request_json_is_not_an_object():
            raise InputError("JSON", JSON_NOT_AN_OBJECT)
