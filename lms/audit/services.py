"""Recording audit events. Every service that changes accounts, roles, teams or sign-offs
calls `record`; the event joins the caller's transaction, so it exists exactly when the change
does."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.people.models import User


def record(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction and return it."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        subject_id=subject.id if subject is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        details={key: value for key, value in details.items() if value is not None},
    )
    db.session.add(event)
    return event
