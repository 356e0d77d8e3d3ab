"""Login, logout and password change."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth.forms import ChangePasswordForm, LoginForm
from lms.auth.passwords import verify_password
from lms.auth.services import LoginOutcome, authenticate, logout_everywhere
from lms.core.safe_redirect import safe_next_url
from lms.extensions import db, limiter
from lms.people.services import PeopleError, set_password
from lms.reports.home import home_for

bp = Blueprint("auth", __name__, template_folder="templates")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = safe_next_url(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data)
        db.session.commit()
        if result.outcome is LoginOutcome.OK:
            login_user(result.user, remember=form.remember.data)
            return redirect(next_url or home_for(result.user))
        if result.outcome is LoginOutcome.LOCKED:
            form.email.errors.append(
                _(
                    "Too many failed attempts. This account is locked until %(time)s.",
                    time=format_datetime(result.locked_until, "short"),
                )
            )
        elif result.outcome is LoginOutcome.INACTIVE:
            form.email.errors.append(_("This account has been deactivated."))
        else:
            form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_everywhere(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm(user=current_user)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            try:
                set_password(user, form.new_password.data, actor=user)
            except PeopleError as error:
                form.new_password.errors.append(str(error))
            else:
                db.session.commit()
                # The password change ended every session; start a fresh one on this device.
                login_user(user)
                flash(_("Your password has been changed. Other devices are logged out."), "success")
                return redirect(url_for("core.learn"))
    return render_template("auth/change_password.html", form=form)
