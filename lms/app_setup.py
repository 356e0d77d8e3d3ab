"""The `register_*` steps that `create_app` runs, in order."""

from __future__ import annotations

import importlib
import logging

from flask import Flask, abort, g, jsonify, render_template, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import i18n
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate

# Every feature's blueprint, as "module:attribute". Order decides nothing but readability.
BLUEPRINTS = (
    "lms.core.views:bp",
    "lms.auth.views:bp",
    "lms.people.views:bp",
    "lms.team.views:bp",
    "lms.content.views:bp",
    "lms.courses.views:bp",
    "lms.authoring.views:bp",
    "lms.notifications.views:bp",
    "lms.onboarding.views:bp",
    "lms.planning.views:bp",
    "lms.quizzes.views:bp",
    "lms.skills.views:bp",
    "lms.scenarios.views:bp",
    "lms.scenarios.editor_views:bp",
    "lms.reports.views:bp",
    "lms.quizzes.editor_views:bp",
    "lms.onboarding.path_editor_views:bp",
)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_logging(app: Flask) -> None:
    if not app.logger.handlers or app.debug:
        return
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))


def register_extensions(app: Flask) -> None:
    from lms import MIGRATIONS_DIR
    from lms.database import configure_engine

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)

    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(p) for p in i18n.catalogue_dirs())
    babel.init_app(app, locale_selector=i18n.select_locale)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)

    import lms.models  # noqa: F401  (every table is known to the metadata and to migrations)


def _load_user(session_id: str):
    """Load the user of a session; a stale session version or an inactive account ends it."""
    from lms.core.inputs import InputError, parse_int
    from lms.people.models import User

    user_id, _, version = session_id.partition(":")
    try:
        user_id_number = parse_int(user_id, field="user")
        version_number = parse_int(version, field="version")
    except InputError:
        return None
    user = db.session.get(User, user_id_number)
    if user is None or not user.active or user.session_version != version_number:
        return None
    return user


def register_proxy(app: Flask) -> None:
    if app.config.get("BEHIND_HTTPS_PROXY"):
        count = app.config.get("PROXY_COUNT", 1)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def register_form_limits(app: Flask) -> None:
    """Every form over the form memory limit (`request.max_form_memory_size`, which a blueprint
    may raise for its own requests) gets our 413, whatever the form parser does: Werkzeug 3.1.9
    stopped applying that limit to url-encoded bodies, earlier releases refused them. Runs
    before anything reads the form (the CSRF check); registered before the blueprints, whose
    own limit hooks go first."""

    def limit_urlencoded_forms() -> None:
        if request.mimetype != "application/x-www-form-urlencoded":
            return
        limit = request.max_form_memory_size
        if limit is None:
            return
        if (request.content_length or 0) > limit:
            abort(413)
        current = request.max_content_length
        request.max_content_length = limit if current is None else min(current, limit)

    app.before_request_funcs.setdefault(None, []).insert(0, limit_urlencoded_forms)


def register_input_rules(app: Flask) -> None:
    """The `int` URL converter, bounded JSON and the NUL check (before any blueprint's rules)."""
    from lms.core import inputs

    inputs.register(app)


def register_blueprints(app: Flask) -> None:
    for spec in BLUEPRINTS:
        module_name, _, attribute = spec.partition(":")
        module = importlib.import_module(module_name)
        app.register_blueprint(getattr(module, attribute))


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("BEHIND_HTTPS_PROXY"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if getattr(g, "no_store", False) or request.endpoint in {"auth.login"}:
            headers["Cache-Control"] = "no-store"
        return response


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Upload too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
}
ERROR_TEXTS = {
    400: _l("The request could not be understood. Go back, check the form and try again."),
    403: _l("Your account does not have access to this page."),
    404: _l("There is nothing at this address. Check the link or start from the home page."),
    405: _l("This page cannot be used that way."),
    413: _l("The file is larger than the limit. Split it or make it smaller and try again."),
    429: _l("Too many attempts in a short time. Wait a minute and try again."),
    500: _l("The error has been logged. Try again in a moment; nothing you saved is lost."),
}


def render_error(code: int, text=None):
    from lms.auth.permissions import wants_json

    db.session.rollback()
    message = str(text or ERROR_TEXTS.get(code, ERROR_TEXTS[500]))
    if wants_json():
        return jsonify(error=str(ERROR_TITLES.get(code, code)), message=message), code
    return (
        render_template(
            "errors/error.html", code=code, title=ERROR_TITLES.get(code), message=message
        ),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return render_error(
            400,
            _l(
                "The form could not be accepted because its security token is missing or "
                "invalid. Reload the page and send it again."
            ),
        )

    from lms.core.inputs import InputError

    @app.errorhandler(InputError)
    def _input_error(error: InputError):
        return render_error(400, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.response is not None:
            return error.response
        code = error.code or 500
        if code in ERROR_TITLES:
            return render_error(code)
        return error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        logging.getLogger("lms").exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render_error(500)


def register_request_transaction(app: Flask) -> None:
    """One commit per request, as Indico's request handler does (see `lms.core.transaction`)."""
    from lms.core import transaction

    transaction.register(app)


#: The feature modules that register progress providers and skill-target sources.
PROVIDER_MODULES = (
    "lms.courses.services",
    "lms.quizzes.services",
    "lms.scenarios.services",
    "lms.onboarding.services",
)


def register_providers(app: Flask) -> None:
    """Load the providers of every feature and fail now if one a page needs is missing."""
    import importlib

    from lms import progress
    from lms.skills import targets

    for name in PROVIDER_MODULES:
        importlib.import_module(name)
    progress.check_providers()
    if not targets.target_sources():
        raise progress.MissingProvider("no skill-target source is registered")


def register_template_helpers(app: Flask) -> None:
    from lms.auth.permissions import Permission, has_permission
    from lms.core.navigation import navigation_for

    app.jinja_env.globals.update(
        Permission=Permission,
        has_permission=has_permission,
        navigation_for=navigation_for,
        language_names=i18n.LANGUAGE_NAMES,
        current_locale=i18n.current_ui_locale,
        content_locale=i18n.content_locale,
    )
    app.jinja_env.filters.update(
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        number=lambda value: format_decimal(value) if value is not None else "",
        percent=lambda value: format_percent(value) if value is not None else "",
    )


def register_cli(app: Flask) -> None:
    from lms.cli import lms_group

    app.cli.add_command(lms_group)
