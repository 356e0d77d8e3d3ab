"""What each kind of notification says. A kind renders its text from the stored params when it is
shown, in the reader's language, so a notification created in English reads in Chinese once its
reader switches. Features add kinds with `@register_kind(...)`; an unknown kind still shows a
generic text instead of failing.

Params are JSON values. A content title is stored as a locale map (``{"en": ..., "zh-CN": ...}``)
and shown in the reader's content locale; a date as an ISO string, shown in the reader's format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, get_locale, ngettext
from flask_babel import gettext as _

from lms.content.model import Text

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Kind:
    name: str
    render: Callable[[Params], str]
    email: bool = True  # carried by the e-mail digest
    feedback: bool = False  # feedback or a review the learner received (listed on /learn)


KINDS: dict[str, Kind] = {}


def register_kind(
    name: str, *, email: bool = True, feedback: bool = False
) -> Callable[[Callable[[Params], str]], Callable[[Params], str]]:
    """Register how notifications of `name` read; the function returns the translated text."""

    def decorator(render: Callable[[Params], str]) -> Callable[[Params], str]:
        KINDS[name] = Kind(name, render, email=email, feedback=feedback)
        return render

    return decorator


def feedback_kinds() -> tuple[str, ...]:
    return tuple(sorted(name for name, kind in KINDS.items() if kind.feedback))


def email_kinds() -> tuple[str, ...]:
    return tuple(sorted(name for name, kind in KINDS.items() if kind.email))


def reader_content_locale() -> str:
    """The content locale (`en`, `zh-CN`) of the language being rendered, forced or not."""
    locale = get_locale()
    if locale is None:
        return "en"
    return f"{locale.language}-{locale.territory}" if locale.territory else locale.language


def text(value: Any) -> str:
    """A stored text param in the reader's language: a locale map, a plain string or nothing."""
    if isinstance(value, Mapping):
        return Text.of(value).get(reader_content_locale())
    if value is None:
        return ""
    return str(value)


def day(value: Any) -> str:
    """A stored ISO date param in the reader's date format."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(str(value)[:10]), "medium")
    except ValueError:
        return str(value)


def render(kind: str, params: Params) -> str:
    found = KINDS.get(kind)
    if found is None:
        return _("You have a new notification.")
    try:
        return found.render(params)
    except (KeyError, TypeError, ValueError):
        return _("You have a new notification.")


# --- the kinds of onboarding, reminders and reviews -------------------------------------------


@register_kind("item_due_soon")
def _item_due_soon(p: Params) -> str:
    if p.get("hire"):
        return _(
            "%(hire)s: “%(item)s” is due on %(date)s.",
            hire=p["hire"],
            item=text(p.get("item")),
            date=day(p.get("due")),
        )
    return _("“%(item)s” is due on %(date)s.", item=text(p.get("item")), date=day(p.get("due")))


@register_kind("item_overdue")
def _item_overdue(p: Params) -> str:
    if p.get("hire"):
        return _(
            "%(hire)s: “%(item)s” was due on %(date)s and is not done yet.",
            hire=p["hire"],
            item=text(p.get("item")),
            date=day(p.get("due")),
        )
    return _(
        "“%(item)s” was due on %(date)s and is not done yet.",
        item=text(p.get("item")),
        date=day(p.get("due")),
    )


@register_kind("checkin_due")
def _checkin_due(p: Params) -> str:
    if p.get("hire"):
        return _(
            "The %(title)s with %(hire)s is due on %(date)s.",
            title=text(p.get("title")),
            hire=p["hire"],
            date=day(p.get("due")),
        )
    return _(
        "Your %(title)s with your manager is due on %(date)s.",
        title=text(p.get("title")),
        date=day(p.get("due")),
    )


@register_kind("task_signed_off", feedback=True)
def _task_signed_off(p: Params) -> str:
    return _(
        "%(manager)s signed off “%(item)s”.", manager=p.get("manager", ""), item=text(p.get("item"))
    )


@register_kind("signoff_undone", feedback=True)
def _signoff_undone(p: Params) -> str:
    return _(
        "%(manager)s withdrew the sign-off of “%(item)s”: %(reason)s",
        manager=p.get("manager", ""),
        item=text(p.get("item")),
        reason=p.get("reason", ""),
    )


@register_kind("checkin_held", feedback=True)
def _checkin_held(p: Params) -> str:
    goals = int(p.get("goals", 0))
    return ngettext(
        "%(manager)s recorded your %(title)s with %(num)d goal for the next phase.",
        "%(manager)s recorded your %(title)s with %(num)d goals for the next phase.",
        goals,
        manager=p.get("manager", ""),
        title=text(p.get("title")),
    )


@register_kind("enrolled")
def _enrolled(p: Params) -> str:
    return _(
        "You are enrolled on “%(path)s”, starting on %(date)s.",
        path=text(p.get("path")),
        date=day(p.get("start")),
    )


@register_kind("path_upgraded")
def _path_upgraded(p: Params) -> str:
    return _(
        "Your onboarding path “%(path)s” moved to its newest version; what you did is kept.",
        path=text(p.get("path")),
    )


@register_kind("reply_reviewed", feedback=True)
def _reply_reviewed(p: Params) -> str:
    """Params: `reviewer` (a name), `scenario` (a title: locale map or string)."""
    return _(
        "%(reviewer)s reviewed your reply in “%(scenario)s”.",
        reviewer=p.get("reviewer", ""),
        scenario=text(p.get("scenario")),
    )


@register_kind("sign_in_paused")
def _sign_in_paused(p: Params) -> str:
    """Params: `address` (the client address), `until` (an ISO date-time, UTC)."""
    return _(
        "Several sign-ins to your account from %(address)s failed, so that address may not "
        "try again until %(time)s. If this was not you, change your password and turn on "
        "two-factor sign-in.",
        address=p["address"],
        time=format_datetime(datetime.fromisoformat(str(p["until"])), "short"),
    )
