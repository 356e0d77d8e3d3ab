"""Admin pages: people, roles, managers, roster import and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from lms.audit.display import action_choices, audit_rows
from lms.audit.models import AuditEvent
from lms.auth import two_factor
from lms.auth.permissions import Permission, permission_required
from lms.core.inputs import page_arg
from lms.core.transaction import discard_changes
from lms.extensions import db
from lms.people.forms import ConfirmForm, NewUserForm, RosterForm, SetPasswordForm, UserForm
from lms.people.models import User, UserRole
from lms.people.roster import import_roster
from lms.people.services import (
    AccountData,
    PeopleError,
    create_user,
    find_user_by_email,
    set_active,
    set_password,
    update_user,
)
from lms.timeutil import utcnow

bp = Blueprint("people", __name__, template_folder="templates", url_prefix="/admin")

PAGE_SIZE = 50


@bp.get("")
@permission_required(Permission.MANAGE_USERS)
def admin_home():
    counts = db.session.execute(
        sa.select(
            sa.func.count(User.id),
            sa.func.count(User.id).filter(User.active.is_(True)),
        )
    ).one()
    role_counts = dict(
        db.session.execute(sa.select(UserRole.role, sa.func.count()).group_by(UserRole.role)).all()
    )
    recent = db.session.scalars(
        sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)
    ).all()
    return render_template(
        "people/admin_home.html",
        total=counts[0],
        active=counts[1],
        role_counts=role_counts,
        events=audit_rows(recent),
    )


@bp.get("/users")
@permission_required(Permission.MANAGE_USERS)
def user_list():
    query = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "active")
    statement = sa.select(User).options(joinedload(User.manager)).order_by(User.name, User.id)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            sa.or_(sa.func.lower(User.name).like(pattern), User.email.like(pattern))
        )
    if status == "active":
        statement = statement.where(User.active.is_(True))
    elif status == "inactive":
        statement = statement.where(User.active.is_(False))
    page = db.paginate(
        statement,
        page=page_arg(PAGE_SIZE),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template("people/user_list.html", page=page, q=query, status=status)


def _manager_from_form(form: UserForm) -> User | None:
    if not form.manager_email.data:
        return None
    manager = find_user_by_email(form.manager_email.data)
    if manager is None:
        form.manager_email.errors.append(_("No person has this e-mail address."))
    return manager


def _account_data(form: UserForm, manager: User | None) -> AccountData:
    return AccountData(
        email=form.email.data or "",
        name=form.name.data or "",
        roles=frozenset(form.roles.data or ()),
        manager=manager,
        start_date=form.start_date.data,
        locale=form.locale.data or None,
    )


def _show_error(form: UserForm, error: PeopleError) -> None:
    field = getattr(form, error.field or "", None)
    if field is None:
        field = form.email
    field.errors = [*field.errors, str(error)]


@bp.route("/users/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def user_new():
    form = NewUserForm()
    if form.validate_on_submit():
        manager = _manager_from_form(form)
        if not form.manager_email.errors:
            try:
                user = create_user(
                    _account_data(form, manager),
                    actor=current_user,
                    password=form.password.data or None,
                )
            except PeopleError as error:
                discard_changes()
                _show_error(form, error)
            else:
                flash(_("%(name)s has been added.", name=user.name), "success")
                return redirect(url_for("people.user_edit", user_id=user.id))
    return render_template("people/user_form.html", form=form, user=None)


def _get_user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def user_edit(user_id: int):
    user = _get_user_or_404(user_id)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.manager_email.data = user.manager.email if user.manager else ""
        form.locale.data = user.locale or ""
    if form.validate_on_submit():
        manager = _manager_from_form(form)
        if not form.manager_email.errors:
            try:
                update_user(user, _account_data(form, manager), actor=current_user)
            except PeopleError as error:
                discard_changes()
                _show_error(form, error)
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("people.user_edit", user_id=user.id))
    reports = db.session.scalars(
        sa.select(User).where(User.manager_id == user.id).order_by(User.name)
    ).all()
    return render_template(
        "people/user_form.html",
        form=form,
        user=user,
        reports=reports,
        password_form=SetPasswordForm(),
        confirm_form=ConfirmForm(),
        two_factor_on=two_factor.is_enabled(user),
    )


@bp.post("/users/<int:user_id>/active")
@permission_required(Permission.MANAGE_USERS)
def user_set_active(user_id: int):
    user = _get_user_or_404(user_id)
    make_active = request.form.get("active") == "1"
    try:
        set_active(user, make_active, actor=current_user)
    except PeopleError as error:
        discard_changes()
        flash(str(error), "error")
    else:
        if make_active:
            flash(_("%(name)s can log in again.", name=user.name), "success")
        else:
            flash(_("%(name)s is deactivated and logged out.", name=user.name), "success")
    return redirect(url_for("people.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
@permission_required(Permission.MANAGE_USERS)
def user_set_password(user_id: int):
    user = _get_user_or_404(user_id)
    form = SetPasswordForm()
    if not form.validate_on_submit():
        flash(_("Enter a new password."), "error")
    else:
        try:
            set_password(user, form.password.data, actor=current_user)
        except PeopleError as error:
            discard_changes()
            flash(str(error), "error")
        else:
            flash(_("The password of %(name)s has been set.", name=user.name), "success")
    return redirect(url_for("people.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/two-factor/reset")
@permission_required(Permission.MANAGE_USERS)
def user_reset_two_factor(user_id: int):
    """Remove a person's second factor (a lost phone); audited, and their sessions end."""
    user = _get_user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot reset your own second factor; ask another admin."), "error")
    elif two_factor.factor_of(user) is None:
        flash(_("%(name)s has no second factor.", name=user.name), "info")
    else:
        two_factor.reset(user, actor=current_user, now=utcnow())
        flash(
            _(
                "The second factor of %(name)s has been removed and they are logged out.",
                name=user.name,
            ),
            "success",
        )
    return redirect(url_for("people.user_edit", user_id=user.id))


@bp.route("/roster", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_USERS)
def roster():
    form = RosterForm()
    result = None
    applied = False
    if form.validate_on_submit():
        data = form.file.data.read(2 * 1024 * 1024 + 1)
        applied = request.form.get("action") == "import"
        result = import_roster(data, actor=current_user, apply=applied)
        if result.ok and applied:
            flash(
                _(
                    "Roster imported: %(added)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged.",
                    added=result.added,
                    updated=result.updated,
                    unchanged=result.unchanged,
                ),
                "success",
            )
            return redirect(url_for("people.roster"))
        discard_changes()
    return render_template("people/roster.html", form=form, result=result, applied=applied)


@bp.get("/audit")
@permission_required(Permission.VIEW_AUDIT_LOG)
def audit_log():
    action = request.args.get("action", "").strip()[:64]
    statement = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        statement = statement.where(AuditEvent.action.like(f"{action}%"))
    page = db.paginate(
        statement,
        page=page_arg(PAGE_SIZE),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    actions = db.session.scalars(
        sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).all()
    return render_template(
        "people/audit.html",
        page=page,
        events=audit_rows(page.items),
        action=action,
        actions=action_choices(actions),
    )
