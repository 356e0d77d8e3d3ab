"""Health check, the language switcher, and the learner's home page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, request, session, url_for
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.core.safe_redirect import safe_next_url
from lms.core.transaction import discard_changes
from lms.extensions import db
from lms.i18n import UI_LOCALES

bp = Blueprint("core", __name__, template_folder="templates")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        discard_changes()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok")


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.learn"))
    return redirect(url_for("auth.login"))


@bp.post("/language")
def set_language():
    """Switch the interface language; saved on the account when logged in."""
    locale = request.form.get("locale", "")
    if locale in UI_LOCALES:
        session["locale"] = locale
        if current_user.is_authenticated and current_user.locale != locale:
            current_user.locale = locale
    return redirect(safe_next_url(request.form.get("next"), url_for("core.index")))


@bp.get("/learn")
@permission_required(Permission.LEARN)
def learn():
    from lms.onboarding.home import render_learner_home

    return render_learner_home()
