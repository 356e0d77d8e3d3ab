"""Signing off field tasks (and undoing a sign-off), and the progress provider of `task` items
(a sign-off in force), keyed ``<path id>/<item id>``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from lms.audit.services import record
from lms.content.forms import markdown_problem
from lms.content.markdown import MarkdownError, render_markdown
from lms.extensions import db
from lms.notifications.services import notify
from lms.onboarding.enrollments import (
    MAX_COMMENT,
    MAX_REASON,
    SIGNOFF_RATINGS,
    OnboardingError,
    _done_when,
    _item_of,
    _split_slugs,
    active_enrollment,
    find_item,
)
from lms.onboarding.models import (
    SignOff,
)
from lms.onboarding.status import (
    path_of,
)
from lms.people.models import User
from lms.progress import ItemProgress, changes_progress, provides
from lms.timeutil import utcnow

# --- sign-offs ---------------------------------------------------------------------------------


def signoff_in_force(user_id: int, path_slug: str, item_id: str) -> SignOff | None:
    return db.session.scalar(
        sa.select(SignOff).where(
            SignOff.user_id == user_id,
            SignOff.path_slug == path_slug,
            SignOff.item_id == item_id,
            SignOff.undone_at.is_(None),
        )
    )


def sign_off(
    hire: User,
    item_id: str,
    *,
    actor: User,
    comment: str = "",
    ratings: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> SignOff:
    """Confirm that `hire` did the field task `item_id` of their path. The comment is Markdown
    (rendered and sanitized now); `ratings` (skill id -> below | meets | above) become skill
    evidence. Audited; the hire is notified."""
    now = now or utcnow()
    enrollment = active_enrollment(hire.id)
    path, phase, item = _item_of(enrollment, item_id, "task")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise OnboardingError(
            _l("Keep the comment under %(num)d characters.", num=MAX_COMMENT), "comment"
        )
    values: dict[str, float] = {}
    for skill_id, rating in (ratings or {}).items():
        if not rating:
            continue
        if rating not in SIGNOFF_RATINGS or skill_id not in phase.targets:
            raise OnboardingError(_l("Choose a rating from the list."), "ratings")
        values[skill_id] = SIGNOFF_RATINGS[rating]
    if signoff_in_force(hire.id, path.id, item.id) is not None:
        raise OnboardingError(_l("This task is already signed off."), "item")
    try:
        comment_html = render_markdown(comment)
    except MarkdownError as error:
        raise OnboardingError(markdown_problem(error, _l("The comment")), "comment") from None
    signoff = SignOff(
        user_id=hire.id,
        path_slug=path.id,
        item_id=item.id,
        signed_by_id=actor.id,
        signed_at=now,
        comment=comment,
        comment_html=comment_html,
        skills=values,
    )
    try:
        with db.session.begin_nested():
            db.session.add(signoff)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise OnboardingError(_l("This task is already signed off."), "item") from None
    if values:
        from lms.skills.evidence import record_evidence

        record_evidence(
            hire.id,
            values,
            source_kind="signoff",
            source_id=f"{path.id}/{item.id}"[:64],
            source_version_id=enrollment.path_version_id,
            source_ref=f"signoff:{signoff.id}",
            at=now,
        )
    record(
        "onboarding.signed_off",
        actor=actor,
        subject=hire,
        path=path.id,
        item=item.id,
        signoff=signoff.id,
        skills=values or None,
    )
    notify(
        hire.id,
        "task_signed_off",
        link=f"/onboarding#item-{item.id}",
        now=now,
        manager=actor.name,
        item=item.title,
    )
    return signoff


def undo_sign_off(
    signoff: SignOff, *, actor: User, reason: str, now: datetime | None = None
) -> SignOff:
    """Withdraw a sign-off, with a reason; the task is open again. The row stays (who signed,
    who undid, when and why). Skill evidence already recorded stays in the append-only log."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise OnboardingError(_l("Say why the sign-off is withdrawn."), "reason")
    if len(reason) > MAX_REASON:
        raise OnboardingError(
            _l("Keep the reason under %(num)d characters.", num=MAX_REASON), "reason"
        )
    locked = db.session.scalar(sa.select(SignOff).where(SignOff.id == signoff.id).with_for_update())
    if locked is None or locked.undone_at is not None:
        raise OnboardingError(_l("This sign-off has already been withdrawn."), "reason")
    locked.undone_at = now
    locked.undone_by_id = actor.id
    locked.undo_reason = reason
    db.session.flush()
    hire = db.session.get(User, locked.user_id)
    record(
        "onboarding.signoff_undone",
        actor=actor,
        subject=hire,
        path=locked.path_slug,
        item=locked.item_id,
        signoff=locked.id,
        reason=reason,
    )
    enrollment = active_enrollment(locked.user_id)
    title = None
    if enrollment is not None:
        found = find_item(path_of(enrollment), locked.item_id)
        title = found[1].title if found else None
    notify(
        locked.user_id,
        "signoff_undone",
        link=f"/onboarding#item-{locked.item_id}",
        now=now,
        manager=actor.name,
        item=title or locked.item_id,
        reason=reason,
    )
    return locked


changes_progress(SignOff)


@provides("task")
def task_progress_provider(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Field tasks (``<path>/<item>``): done while a sign-off is in force."""
    wanted, paths = _split_slugs(slugs)
    rows = db.session.execute(
        sa.select(SignOff.user_id, SignOff.path_slug, SignOff.item_id, SignOff.signed_at).where(
            SignOff.user_id.in_(list(user_ids)),
            SignOff.path_slug.in_(sorted(paths)),
            SignOff.undone_at.is_(None),
        )
    )
    return _done_when(rows, wanted)
