"""Sign-in (password, then the second factor when the person has one), logout, password change
and the account's security page (two-factor sign-in and recovery codes)."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import two_factor
from lms.auth.forms import ChangePasswordForm, CodeForm, LoginForm, TotpForm
from lms.auth.passwords import verify_password
from lms.auth.permissions import wants_json
from lms.auth.services import (
    LoginOutcome,
    authenticate,
    check_second_factor,
    logout_everywhere,
)
from lms.core.navigation import home_for
from lms.core.safe_redirect import safe_next_url
from lms.core.transaction import discard_changes
from lms.extensions import db, limiter
from lms.people.models import User
from lms.people.services import PeopleError, set_password
from lms.timeutil import utcnow

bp = Blueprint("auth", __name__, template_folder="templates")

# How long the password step of a sign-in waits for its second factor.
PENDING_SECONDS = 600
PENDING_KEY = "two_factor_pending"
# What an admin without a second factor may still reach: enrolling, leaving, the basics.
ENROLMENT_ENDPOINTS = frozenset(
    {
        "auth.security",
        "auth.enrol_start",
        "auth.enrol",
        "auth.enrol_confirm",
        "auth.logout",
        "core.set_language",
        "core.healthz",
        "static",
    }
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address() -> str:
    return request.remote_addr or "unknown"


@bp.before_app_request
def require_second_factor_for_admins():
    """An admin without a second factor is sent to set one up before anything else."""
    if request.endpoint is None or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if not current_user.is_authenticated or not two_factor.is_required(current_user):
        return None
    if two_factor.is_enabled(current_user):
        return None
    message = _("Admins must set up two-factor sign-in first.")
    if wants_json():
        return jsonify(error=message), 403
    flash(message, "info")
    return redirect(url_for("auth.security"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = safe_next_url(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(next_url or home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data, address=_address())
        if result.outcome is LoginOutcome.OK:
            session.pop(PENDING_KEY, None)
            login_user(result.user, remember=form.remember.data)
            return redirect(next_url or home_for(result.user))
        if result.outcome is LoginOutcome.SECOND_FACTOR:
            session[PENDING_KEY] = {
                "user": result.user.id,
                "version": result.user.session_version,
                "since": int(time.time()),
                "remember": bool(form.remember.data),
                "next": next_url,
            }
            return redirect(url_for("auth.second_factor"))
        if result.outcome is LoginOutcome.INACTIVE:
            form.email.errors.append(_("This account has been deactivated."))
        else:
            form.password.errors.append(_("Wrong e-mail or password."))
        return render_template("auth/login.html", form=form), 200
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    """The person whose password step passed in this session, while it is fresh."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if not 0 <= time.time() - pending.get("since", 0) <= PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_version != pending.get("version"):
        session.pop(PENDING_KEY, None)
        return None
    return user


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def second_factor():
    """The second step of a sign-in; the session is not signed in until it passes."""
    g.no_store = True
    user = _pending_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        method = check_second_factor(user, form.code.data, address=_address(), now=utcnow())
        if method is not None:
            pending = session.pop(PENDING_KEY)
            login_user(user, remember=pending.get("remember", False))
            if method == "recovery_code" and two_factor.recovery_codes_left(user) <= 2:
                flash(_("You are running out of recovery codes: make new ones."), "info")
            return redirect(safe_next_url(pending.get("next"), home_for(user)))
        form.code.errors.append(_("Wrong code."))
    return render_template("auth/second_factor.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    logout_everywhere(current_user)
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
                discard_changes()
                form.new_password.errors.append(str(error))
            else:
                # The password change ended every session; start a fresh one on this device.
                login_user(user)
                flash(_("Your password has been changed. Other devices are logged out."), "success")
                return redirect(url_for("core.learn"))
    return render_template("auth/change_password.html", form=form)


# --- the security page: two-factor sign-in --------------------------------------------------


@bp.get("/account/security")
@login_required
def security():
    user = current_user._get_current_object()
    return render_template(
        "auth/security.html",
        enabled=two_factor.is_enabled(user),
        required=two_factor.is_required(user),
        codes_left=two_factor.recovery_codes_left(user),
        form=CodeForm(),
    )


@bp.post("/account/security/enrol/start")
@login_required
def enrol_start():
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        return redirect(url_for("auth.security"))
    two_factor.start_enrolment(user, now=utcnow())
    return redirect(url_for("auth.enrol"))


def _render_enrol(user: User, secret: str, form: TotpForm, status: int = 200):
    g.no_store = True
    uri = two_factor.provisioning_uri(user, secret)
    return render_template(
        "auth/enrol.html",
        qr_code=two_factor.qr_code_svg(uri),
        secret=two_factor.format_secret(secret),
        form=form,
    ), status


@bp.get("/account/security/enrol")
@login_required
def enrol():
    user = current_user._get_current_object()
    secret = two_factor.pending_secret(user)
    if secret is None:
        return redirect(url_for("auth.security"))
    return _render_enrol(user, secret, TotpForm())


@bp.post("/account/security/enrol")
@login_required
def enrol_confirm():
    user = current_user._get_current_object()
    secret = two_factor.pending_secret(user)
    if secret is None:
        return redirect(url_for("auth.security"))
    form = TotpForm()
    if form.validate_on_submit():
        codes = two_factor.confirm_enrolment(user, form.code.data, now=utcnow())
        if codes is not None:
            flash(_("Two-factor sign-in is on."), "success")
            return _render_codes(codes)
        form.code.errors.append(
            _("Wrong code. Check that the time of your phone is right and try the next code.")
        )
    return _render_enrol(user, secret, form)


def _render_codes(codes: list[str]):
    g.no_store = True
    return render_template("auth/recovery_codes.html", codes=codes)


def _checked_code(form: CodeForm, user: User) -> bool:
    """A sensitive change needs a fresh code (ASVS re-authentication); wrong ones are counted
    like failed sign-ins."""
    if not form.validate_on_submit():
        return False
    if check_second_factor(user, form.code.data, address=_address(), now=utcnow(), sign_in=False):
        return True
    flash(_("Wrong code."), "error")
    return False


@bp.post("/account/security/recovery-codes")
@login_required
def recovery_codes():
    user = current_user._get_current_object()
    form = CodeForm()
    if not two_factor.is_enabled(user) or not _checked_code(form, user):
        return redirect(url_for("auth.security"))
    codes = two_factor.regenerate_recovery_codes(user, now=utcnow())
    flash(_("New recovery codes made; the old ones no longer work."), "success")
    return _render_codes(codes)


@bp.post("/account/security/disable")
@login_required
def disable():
    user = current_user._get_current_object()
    if two_factor.is_required(user):
        flash(_("Admins must keep two-factor sign-in on."), "error")
        return redirect(url_for("auth.security"))
    form = CodeForm()
    if two_factor.is_enabled(user) and _checked_code(form, user):
        two_factor.disable(user, now=utcnow())
        flash(_("Two-factor sign-in is off."), "success")
    return redirect(url_for("auth.security"))
