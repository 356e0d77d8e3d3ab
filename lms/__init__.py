"""Sales onboarding and practice platform."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from lms import config as settings

__all__ = ["create_app"]

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then ``LMS_*`` environment variables and the instance
    folder, then `config` (tests pass their overrides here)."""
    overrides = dict(config or {})
    values = settings.default_settings()
    values.update(settings.settings_from_environ(os.environ))
    values.update(overrides)

    instance_path = values.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    app.config.update(values)
    _configure_database_url(app)
    _configure_secret_key(app)
    _configure_sessions(app)

    from lms import app_setup

    app_setup.register_logging(app)
    app_setup.register_extensions(app)
    app_setup.register_proxy(app)
    app_setup.register_form_limits(app)
    app_setup.register_input_rules(app)
    app_setup.register_blueprints(app)
    app_setup.register_providers(app)
    app_setup.register_request_transaction(app)
    app_setup.register_security_headers(app)
    app_setup.register_error_handlers(app)
    app_setup.register_template_helpers(app)
    app_setup.register_cli(app)
    return app


def _configure_database_url(app: Flask) -> None:
    url = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        Path(app.instance_path).mkdir(mode=0o700, parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "lms.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.normalize_database_url(url)


def _configure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("TESTING"):
        raise settings.ConfigError("tests must pass SECRET_KEY explicitly")
    app.config["SECRET_KEY"] = settings.load_or_create_secret_key(Path(app.instance_path))


def _configure_sessions(app: Flask) -> None:
    from datetime import timedelta

    lifetime = timedelta(days=app.config["SESSION_DAYS"])
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime
    app.config["REMEMBER_COOKIE_DURATION"] = lifetime
    secure = bool(app.config.get("BEHIND_HTTPS_PROXY"))
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    if secure:
        app.config["PREFERRED_URL_SCHEME"] = "https"
    logging.getLogger("lms").setLevel(app.config.get("LOG_LEVEL", "INFO"))
