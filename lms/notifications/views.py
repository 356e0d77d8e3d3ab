"""The notifications page, marking read, and the unread count in the header."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.core.inputs import page_arg
from lms.extensions import db
from lms.notifications.models import Notification
from lms.notifications.services import (
    mark_all_read,
    mark_read,
    message_of,
    notifications_query,
    unread_count,
)

bp = Blueprint("notifications", __name__, template_folder="templates")

PAGE_SIZE = 30


@bp.app_context_processor
def _header_count():
    def unread_notification_count() -> int:
        if not getattr(current_user, "is_authenticated", False):
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user.id)
        return g.unread_notifications

    def notifications_label(count: int) -> str:
        return ngettext("Notifications: %(num)d unread", "Notifications: %(num)d unread", count)

    return {
        "unread_notification_count": unread_notification_count,
        "notifications_label": notifications_label,
    }


@bp.get("/notifications")
@permission_required(Permission.LEARN)
def index():
    page = db.paginate(
        notifications_query(current_user.id),
        page=page_arg(PAGE_SIZE),
        per_page=PAGE_SIZE,
        max_per_page=PAGE_SIZE,
        error_out=False,
    )
    return render_template("notifications/index.html", page=page, message_of=message_of)


def _own_notification_or_404(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    return notification


@bp.post("/notifications/<int:notification_id>/read")
@permission_required(Permission.LEARN)
def read(notification_id: int):
    notification = _own_notification_or_404(notification_id)
    mark_read(notification)
    if request.form.get("open") and notification.link:
        return redirect(notification.link)
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
@permission_required(Permission.LEARN)
def read_all():
    mark_all_read(current_user.id)
    return redirect(url_for("notifications.index"))
