"""Languages: locale selection, the catalogue folders, and content-locale mapping.

Each feature package keeps its own catalogue in ``lms/<feature>/translations`` (the shared layout
strings live in ``lms/translations``); Flask-Babel merges them. ``lms i18n`` extracts, updates and
compiles them all; a test fails when any catalogue misses a message or has a fuzzy one.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_request_context, request, session
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent
UI_LOCALES = ("en", "zh_CN")
# Content files use BCP 47 tags; the UI uses Babel's underscore form.
CONTENT_LOCALE = {"en": "en", "zh_CN": "zh-CN"}
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}


def catalogue_dirs() -> list[Path]:
    """Every `translations` folder of the package, the shared one first."""
    found = sorted(p for p in PACKAGE_DIR.glob("*/translations") if p.is_dir())
    shared = PACKAGE_DIR / "translations"
    return [shared, *found]


def source_dir_of(catalogue_dir: Path) -> Path:
    """The code a catalogue covers: its feature package, or the shared templates and modules."""
    return catalogue_dir.parent


def select_locale() -> str:
    """The user's saved preference, else the switcher's choice, else the browser's."""
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    if getattr(current_user, "is_authenticated", False) and current_user.locale in UI_LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in UI_LOCALES:
        return chosen
    best = request.accept_languages.best_match(["en", "zh_CN", "zh", "zh-CN", "zh-Hans"])
    if best and best.lower().startswith("zh"):
        return "zh_CN"
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


def current_ui_locale() -> str:
    """The interface locale of the request as one of UI_LOCALES (`en` or `zh_CN`).

    Flask-Babel reports Chinese as Babel's canonical `zh_Hans_CN`; pages compare with `zh_CN`."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None and locale.language == "zh":
        return "zh_CN"
    return "en"


def content_locale(ui_locale: str | None = None) -> str:
    """The content-file locale (`en`, `zh-CN`) for the current or given UI locale."""
    return CONTENT_LOCALE.get(ui_locale or current_ui_locale(), "en")
