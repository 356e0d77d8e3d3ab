"""Settings: defaults, then ``LMS_*`` environment variables, then the caller's overrides.

Every setting an operator may change is listed once in ``SETTINGS``; the README's settings table is
checked against this list by a test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting has a value the application cannot use."""


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _float_in_unit(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 1:
        raise ValueError("must be greater than 0 and at most 1")
    return value


def _time_zone(raw: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {raw!r} (an IANA name: Europe/Berlin)") from None
    return raw


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must not be negative")
    return value


@dataclass(frozen=True)
class Setting:
    env: str
    key: str
    default: Any
    parse: Callable[[str], Any]
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "LMS_DATABASE_URL",
        "SQLALCHEMY_DATABASE_URI",
        None,
        str,
        "Database URL. Default: SQLite file `instance/lms.db`. PostgreSQL: "
        "`postgresql+psycopg://user:password@host/dbname`.",
    ),
    Setting(
        "LMS_SECRET_KEY",
        "SECRET_KEY",
        None,
        str,
        "Key that signs sessions and CSRF tokens. Default: a random key generated once into "
        "`instance/secret_key` (mode 0600). Set the same value on every host.",
    ),
    Setting(
        "LMS_INSTANCE_PATH",
        "INSTANCE_PATH",
        None,
        str,
        "Folder for the SQLite database, the generated secret key and other local state. "
        "Default: `instance/` beside the code.",
    ),
    Setting(
        "LMS_RATELIMIT_STORAGE_URL",
        "RATELIMIT_STORAGE_URI",
        "memory://",
        str,
        "Where login rate-limit counters live. `memory://` (one process) or "
        "`redis://127.0.0.1:6379` (shared by all workers and hosts).",
    ),
    Setting(
        "LMS_LOGIN_RATE_LIMIT",
        "LOGIN_RATE_LIMIT",
        "10 per minute;100 per hour",
        str,
        "Login attempts allowed per client address.",
    ),
    Setting(
        "LMS_LOGIN_MAX_FAILURES",
        "LOGIN_MAX_FAILURES",
        5,
        _positive_int,
        "Failed sign-ins (wrong password or second-factor code) of one account from one client "
        "address after which that address is paused for that account; other addresses, "
        "the owner's among them, are not affected. 0 turns the pause off.",
    ),
    Setting(
        "LMS_LOGIN_LOCK_MINUTES",
        "LOGIN_LOCK_MINUTES",
        15,
        _positive_int,
        "Length of the first pause; each further failure from that address doubles it.",
    ),
    Setting(
        "LMS_LOGIN_LOCK_MAX_MINUTES",
        "LOGIN_LOCK_MAX_MINUTES",
        1440,
        _positive_int,
        "Longest pause of one account for one address (failures are forgotten after 24 hours).",
    ),
    Setting(
        "LMS_BEHIND_HTTPS_PROXY",
        "BEHIND_HTTPS_PROXY",
        False,
        _bool,
        "Set to true when a reverse proxy terminates HTTPS: cookies become Secure, HSTS is sent "
        "and the proxy's X-Forwarded-For/-Proto headers are trusted.",
    ),
    Setting(
        "LMS_PROXY_COUNT",
        "PROXY_COUNT",
        1,
        _positive_int,
        "Number of trusted proxies in front of the app (used with LMS_BEHIND_HTTPS_PROXY).",
    ),
    Setting(
        "LMS_SESSION_DAYS",
        "SESSION_DAYS",
        14,
        _positive_int,
        "Days a session (and a remember-me cookie) stays valid.",
    ),
    Setting(
        "LMS_MASTERY_WEIGHT",
        "MASTERY_WEIGHT",
        0.3,
        _float_in_unit,
        "Weight w of the newest evidence in the decaying average of mastery.",
    ),
    Setting(
        "LMS_MASTERY_MIN_EVIDENCE",
        "MASTERY_MIN_EVIDENCE",
        2,
        _positive_int,
        "Evidence values a skill needs before its mastery is shown.",
    ),
    Setting(
        "LMS_BASE_URL",
        "BASE_URL",
        "http://127.0.0.1:5000",
        str,
        "Public address of the app, used in e-mails and calendar feeds.",
    ),
    Setting(
        "LMS_SMTP_HOST",
        "SMTP_HOST",
        None,
        str,
        "SMTP server for e-mail digests (`lms remind`). Default: none, e-mail is off and only "
        "in-app notifications are made.",
    ),
    Setting("LMS_SMTP_PORT", "SMTP_PORT", 587, _positive_int, "SMTP port (465 with LMS_SMTP_SSL)."),
    Setting(
        "LMS_SMTP_USERNAME",
        "SMTP_USERNAME",
        None,
        str,
        "SMTP user name, if the server needs a login.",
    ),
    Setting("LMS_SMTP_PASSWORD", "SMTP_PASSWORD", None, str, "SMTP password."),
    Setting(
        "LMS_SMTP_STARTTLS",
        "SMTP_STARTTLS",
        True,
        _bool,
        "Upgrade the SMTP connection with STARTTLS (required when true: no plain-text fallback).",
    ),
    Setting(
        "LMS_SMTP_SSL",
        "SMTP_SSL",
        False,
        _bool,
        "Connect to the SMTP server over TLS from the start (usually port 465).",
    ),
    Setting(
        "LMS_SMTP_FROM",
        "SMTP_FROM",
        "Sales Onboarding <no-reply@localhost>",
        str,
        "Sender address of the e-mail digests.",
    ),
    Setting(
        "LMS_REMIND_INACTIVE_DAYS",
        "REMIND_INACTIVE_DAYS",
        5,
        _positive_int,
        "Days without activity after which a hire is listed as inactive in the manager's weekly "
        "digest.",
    ),
    Setting("LMS_LOG_LEVEL", "LOG_LEVEL", "INFO", str, "Logging level."),
    Setting(
        "LMS_DEFAULT_TIMEZONE",
        "DEFAULT_TIMEZONE",
        "UTC",
        _time_zone,
        "Time zone (IANA name) of people who have not chosen one: it decides their plan days, "
        "review deadlines and the 10:00 reminder.",
    ),
    Setting(
        "LMS_CACHE_URL",
        "CACHE_URL",
        None,
        str,
        "Redis for the cache of rendered lesson fragments, shared by every worker "
        "(`redis://host:6379/1`). Default: none, each worker keeps its own in memory.",
    ),
)

DEFAULTS: dict[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "lms_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_NAME": "lms_remember",
    # A CSRF token lives as long as the session, so a long quiz attempt never fails on it.
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "LANGUAGES": ("en", "zh_CN"),
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "RATELIMIT_HEADERS_ENABLED": True,
}


def settings_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read every known ``LMS_*`` variable; a bad value raises ConfigError naming it."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            continue
        try:
            values[setting.key] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{setting.env}: {exc}") from None
    return values


def default_settings() -> dict[str, Any]:
    values = dict(DEFAULTS)
    for setting in SETTINGS:
        if setting.default is not None:
            values[setting.key] = setting.default
    return values


def load_or_create_secret_key(instance_path: Path) -> str:
    """Return the key stored in the instance folder, generating it (mode 0600) the first time."""
    path = instance_path / "secret_key"
    try:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    os.chmod(path, 0o600)
    return key


def normalize_database_url(url: str) -> str:
    """Accept the plain `postgresql://` and `postgres://` spellings and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def settings_table_markdown() -> str:
    """The README's settings table (`python -m lms.config` prints it)."""
    rows = ["| Variable | Default | What it does |", "|---|---|---|"]
    for setting in SETTINGS:
        default = "—" if setting.default is None else f"`{setting.default}`"
        rows.append(f"| `{setting.env}` | {default} | {setting.help} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(settings_table_markdown(), end="")
