"""Drill runs: start or resume, take a step, keep a reply draft, finish with a score, abandon;
the review of open replies; the progress of learners on drills.

Every function takes explicit arguments (the learner, the time `now`), flushes and never commits.
Steps are refused, never double-counted, when they do not continue the run from where it stands:
the run row is locked while a step is taken, the step counter and node id sent by the page must
match the run's, and the database refuses a second step at the same position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from lms.content import store
from lms.content.model import Node, Scenario
from lms.content.models import ContentItem, ContentKind, ContentVersion
from lms.extensions import db
from lms.people.models import User
from lms.progress import ItemProgress, changes_progress, provides
from lms.scenarios.kinds import Answer, AnswerError, kind_of
from lms.scenarios.models import (
    OpenReply,
    ReplyStatus,
    RunStatus,
    ScenarioRun,
    ScenarioStep,
    ScenarioVersionStats,
)
from lms.scenarios.ordering import choice_index, new_seed
from lms.scenarios.scoring import Maxima, Outcome, compute_maxima, score_run
from lms.skills.models import Skill
from lms.timeutil import utcnow

KIND = ContentKind.SCENARIO.value
COMMENT_MAX_CHARS = 2000


class ScenarioError(Exception):
    """A request the drill cannot carry out; `message` is for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CommentRefused(ScenarioError):
    """A review comment the Markdown renderer refuses; `line` is the rubric line's index, or
    None for the comment to the learner."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


class StepRefused(ScenarioError):
    """A step that does not continue the run from where it stands.

    `reason`: ``stale`` (the page is behind the run, e.g. a second tab moved on), ``replayed``
    (this very answer was already saved), ``ahead`` (a step counter the run has not reached) or
    ``closed`` (the run has ended)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class StepInvalid(ScenarioError):
    """The answer itself is unusable (no choice picked, a reply too short or too long)."""


class AlreadyReviewed(ScenarioError):
    pass


# --- versions, documents, maxima --------------------------------------------------------------


def scenario_of(version: ContentVersion) -> Scenario:
    obj = store.load(version)
    assert isinstance(obj, Scenario)
    return obj


_MAXIMA: dict[tuple[int, str], Maxima] = {}
_MAXIMA_LIMIT = 1024


def maxima_for(version: ContentVersion) -> Maxima:
    """The maxima of a version: from this process's cache, else the stored row, else computed
    (a version is immutable, so all three agree)."""
    key = (version.id, version.content_hash)
    found = _MAXIMA.get(key)
    if found is None:
        row = db.session.get(ScenarioVersionStats, version.id)
        found = Maxima.from_json(row.maxima) if row else compute_maxima(scenario_of(version))
        if len(_MAXIMA) >= _MAXIMA_LIMIT:
            _MAXIMA.clear()
        _MAXIMA[key] = found
    return found


def store_maxima(version: ContentVersion) -> Maxima:
    """Compute and store the maxima of a version once (a concurrent writer's row wins)."""
    maxima = maxima_for(version)
    if db.session.get(ScenarioVersionStats, version.id) is None:
        values = {
            "version_id": version.id,
            "maxima": maxima.as_json(),
            "path_count": maxima.path_count,
            "computed_at": utcnow(),
        }
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        db.session.execute(insert(ScenarioVersionStats).values(values).on_conflict_do_nothing())
    return maxima


def live_version(slug: str) -> ContentVersion | None:
    return store.current_version(KIND, slug)


def prefetch_items(versions: Sequence[ContentVersion]) -> None:
    """Load the items of many versions in one query, so `store.load` finds them in the session."""
    ids = {version.item_id for version in versions}
    if ids:
        db.session.scalars(sa.select(ContentItem).where(ContentItem.id.in_(ids))).all()


# --- runs ---------------------------------------------------------------------------------------


def open_run_of(user_id: int, item_id: int) -> ScenarioRun | None:
    """The learner's open run on any version of a drill (the newest if, oddly, several)."""
    return db.session.scalar(
        sa.select(ScenarioRun)
        .where(
            ScenarioRun.user_id == user_id,
            ScenarioRun.item_id == item_id,
            ScenarioRun.status == RunStatus.OPEN,
        )
        .order_by(ScenarioRun.id.desc())
        .limit(1)
    )


def start_run(
    user: User, version: ContentVersion, *, now: datetime, seed: int | None = None
) -> tuple[ScenarioRun, bool]:
    """The learner's open run on `version`, or a new one; returns (run, created). A new run
    gets `seed` (default: a random one) to shuffle the replies it shows.

    The partial unique index allows one open run per learner and version: when two requests
    race, the loser's insert fails inside a savepoint and it returns the winner's run."""
    existing = _open_run_on(user.id, version.id)
    if existing is not None:
        return existing, False
    scenario = scenario_of(version)
    store_maxima(version)
    run = ScenarioRun(
        user_id=user.id,
        item_id=version.item_id,
        version_id=version.id,
        status=RunStatus.OPEN,
        current_node=scenario.start,
        step_count=0,
        order_seed=new_seed() if seed is None else seed,
        started_at=now,
        updated_at=now,
        points={},
    )
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except sa.exc.IntegrityError:
        existing = _open_run_on(user.id, version.id)
        if existing is None:
            raise
        return existing, False
    return run, True


def _open_run_on(user_id: int, version_id: int) -> ScenarioRun | None:
    return db.session.scalar(
        sa.select(ScenarioRun).where(
            ScenarioRun.user_id == user_id,
            ScenarioRun.version_id == version_id,
            ScenarioRun.status == RunStatus.OPEN,
        )
    )


def lock_run(run_id: int) -> ScenarioRun | None:
    """The run, locked for this transaction and read afresh from the database."""
    return db.session.scalar(
        sa.select(ScenarioRun)
        .where(ScenarioRun.id == run_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


@dataclass(frozen=True)
class StepResult:
    run: ScenarioRun
    step: ScenarioStep
    outcome: Outcome | None  # set when this step ended the run


def _check_position(run: ScenarioRun, node_id: str, position: int | None, answer: Answer | None):
    if run.status != RunStatus.OPEN:
        raise StepRefused(
            "closed", _("This run has already ended; here is how it went. Nothing was changed.")
        )
    if position is not None and position < run.step_count:
        earlier = db.session.scalar(
            sa.select(ScenarioStep).where(
                ScenarioStep.run_id == run.id, ScenarioStep.position == position
            )
        )
        if (
            earlier is not None
            and answer is not None
            and earlier.node_id == node_id
            and earlier.choice_index == answer.edge.choice
            and (earlier.reply or None) == (answer.reply or None)
        ):
            raise StepRefused(
                "replayed",
                _("That answer was already saved; it counts once. Here is where you are now."),
            )
        raise StepRefused(
            "stale",
            _(
                "This page was out of date: the conversation had moved on (in another tab or "
                "window, perhaps). Here is where it stands now; nothing was counted twice."
            ),
        )
    if position is None or position > run.step_count or node_id != run.current_node:
        raise StepRefused(
            "ahead" if position is not None and position > run.step_count else "stale",
            _(
                "This answer does not fit where the conversation stands, so it was not saved. "
                "Here is the current state."
            ),
        )


def take_step(
    run_id: int,
    *,
    node_id: str,
    position: int | None,
    form: Mapping[str, str],
    now: datetime,
    reply_link: str | None = None,
) -> StepResult:
    """Answer the run's current node with the submitted `form` and move on.

    `node_id` and `position` are what the page showed; a page that does not show the run's
    current state is refused (StepRefused) and nothing is written. `form["choice"]` is the
    index of the reply in the file (a page posts the position shown: see `form_in_file_order`).
    An unusable answer raises StepInvalid. Reaching an end node finishes the run: score, pass
    and skill evidence."""
    run = lock_run(run_id)
    if run is None:
        raise StepRefused("closed", _("This run no longer exists."))
    scenario = scenario_of(run.version)
    node = scenario.nodes.get(run.current_node)
    answer: Answer | None = None
    if node is not None and node_id == node.id and run.status == RunStatus.OPEN:
        try:
            answer = kind_of(node).read_answer(node, form)
        except AnswerError as error:
            if position == run.step_count:
                raise StepInvalid(str(error)) from None
    else:
        earlier_node = scenario.nodes.get(node_id)
        if earlier_node is not None and not kind_of(earlier_node).is_end:
            try:
                answer = kind_of(earlier_node).read_answer(earlier_node, form)
            except AnswerError:
                answer = None
    _check_position(run, node_id, position, answer)
    assert node is not None and answer is not None
    kind = kind_of(node)
    step = ScenarioStep(
        run_id=run.id,
        position=run.step_count,
        node_id=node.id,
        kind=kind.step_kind,
        choice_index=answer.edge.choice,
        points={skill: value for skill, value in answer.edge.points.items()},
        reply=answer.reply,
        created_at=now,
    )
    db.session.add(step)
    run.step_count = run.step_count + 1
    run.current_node = answer.edge.next
    run.points = _added(run.points or {}, answer.edge.points)
    run.updated_at = now
    run.draft_node = run.draft_text = run.draft_saved_at = None
    db.session.flush()
    if answer.reply is not None:
        reply = OpenReply(
            step_id=step.id,
            run_id=run.id,
            user_id=run.user_id,
            version_id=run.version_id,
            node_id=node.id,
            status=ReplyStatus.PENDING,
            submitted_at=now,
        )
        db.session.add(reply)
        db.session.flush()
        _supersede_earlier(reply, run.item_id)
    outcome = None
    following = scenario.nodes[answer.edge.next]
    if kind_of(following).is_end:
        outcome = _finish(run, scenario, following, now=now)
    db.session.flush()
    return StepResult(run, step, outcome)


def form_in_file_order(run: ScenarioRun, node_id: str, form: Mapping[str, str]) -> dict:
    """A page's answer with the position of the reply as the run showed it turned into its
    index in the file (lms.scenarios.ordering); anything else is passed on unchanged."""
    answer = {"reply": form.get("reply") or ""}
    if form.get("choice") is not None:
        node = scenario_of(run.version).nodes.get(node_id)
        shown = form.get("choice")
        answer["choice"] = choice_index(run.seed, node, shown) if node is not None else shown
    return answer


def _supersede_earlier(reply: OpenReply, item_id: int) -> None:
    """A replay replaces the hire's earlier pending replies to the same node of the drill (any
    version): they stay in their runs' history but leave the review queue."""
    earlier_runs = sa.select(ScenarioRun.id).where(
        ScenarioRun.user_id == reply.user_id, ScenarioRun.item_id == item_id
    )
    db.session.execute(
        sa.update(OpenReply)
        .where(
            OpenReply.user_id == reply.user_id,
            OpenReply.node_id == reply.node_id,
            OpenReply.status == ReplyStatus.PENDING,
            OpenReply.superseded_by_id.is_(None),
            OpenReply.id != reply.id,
            OpenReply.run_id.in_(earlier_runs),
        )
        .values(superseded_by_id=reply.id)
        .execution_options(synchronize_session=False)
    )


def _added(points: Mapping[str, float], more: Mapping[str, float]) -> dict[str, float]:
    total = {skill: float(value) for skill, value in points.items()}
    for skill, value in more.items():
        total[skill] = total.get(skill, 0.0) + float(value)
    return total


def _finish(run: ScenarioRun, scenario: Scenario, end: Node, *, now: datetime) -> Outcome:
    maxima = maxima_for(run.version)
    outcome = score_run(maxima, run.points or {}, end.end or "fail", scenario.pass_score)
    run.status = RunStatus.FINISHED
    run.end_kind = outcome.end
    run.total_points = outcome.total
    run.score = outcome.score
    run.passed = outcome.passed
    run.finished_at = now
    run.updated_at = now
    _record(
        run.user_id,
        outcome.evidence,
        source_kind="scenario",
        source_id=run.item.slug,
        version_id=run.version_id,
        at=now,
        ref=f"run:{run.id}",
    )
    return outcome


def _record(
    user_id: int,
    values: Mapping[str, float],
    *,
    source_kind: str,
    source_id: str,
    version_id: int,
    at: datetime,
    ref: str,
) -> None:
    """Evidence into the skills log, for the skills the framework still has."""
    if not values:
        return
    from lms.skills.evidence import record_evidence

    live = set(
        db.session.scalars(
            sa.select(Skill.id).where(Skill.id.in_(list(values)), Skill.retired_at.is_(None))
        )
    )
    kept = {skill: value for skill, value in values.items() if skill in live}
    if kept:
        record_evidence(
            user_id,
            kept,
            source_kind=source_kind,
            source_id=source_id,
            source_version_id=version_id,
            at=at,
            source_ref=ref,
        )


def save_reply_draft(
    run_id: int, *, node_id: str, position: int | None, text: str, now: datetime
) -> ScenarioRun:
    """Keep what the learner has typed at an open node so far (refused like a stale step)."""
    run = lock_run(run_id)
    if run is None:
        raise StepRefused("closed", _("This run no longer exists."))
    if run.status != RunStatus.OPEN or position != run.step_count or node_id != run.current_node:
        _check_position(run, node_id, position, None)
    from lms.scenarios.kinds import REPLY_MAX_CHARS, clean_reply

    run.draft_node = node_id
    run.draft_text = clean_reply(text)[: REPLY_MAX_CHARS * 2]
    run.draft_saved_at = now
    db.session.flush()
    return run


def abandon_run(run_id: int, *, now: datetime) -> ScenarioRun | None:
    """Give up an open run (it stays in history as abandoned); a closed run is left alone."""
    run = lock_run(run_id)
    if run is None or run.status != RunStatus.OPEN:
        return run
    run.status = RunStatus.ABANDONED
    run.updated_at = now
    db.session.flush()
    return run


# --- reviews of open replies -------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    met: bool
    comment: str = ""


def lock_reply(reply_id: int) -> OpenReply | None:
    return db.session.scalar(
        sa.select(OpenReply)
        .where(OpenReply.id == reply_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def rubric_of(reply: OpenReply) -> Node:
    scenario = scenario_of(reply.run.version)
    return scenario.nodes[reply.node_id]


def review_reply(
    reply_id: int,
    *,
    reviewer: User,
    verdicts: Sequence[Verdict],
    comment: str = "",
    now: datetime,
    link: str | None = None,
) -> OpenReply:
    """Record a reviewer's verdict on every rubric line of an open reply.

    Each line met (1) or not met (0) is evidence for its skill; lines of one skill are merged
    into their mean. The learner is notified. A reply is reviewed once: a second review raises
    AlreadyReviewed and changes nothing."""
    from lms.content.forms import markdown_problem
    from lms.content.markdown import MarkdownError, render_markdown

    def rendered(text: str, line: int | None) -> str:
        try:
            return render_markdown(text)
        except MarkdownError as error:
            raise CommentRefused(str(markdown_problem(error, _("The comment"))), line) from None

    reply = lock_reply(reply_id)
    if reply is None:
        raise ScenarioError(_("This reply no longer exists."))
    if reply.status != ReplyStatus.REVIEWED and reply.superseded_by_id is not None:
        raise AlreadyReviewed(
            _(
                "%(name)s has sent a newer reply here; review that one instead.",
                name=reply.user.name,
            )
        )
    if reply.status == ReplyStatus.REVIEWED:
        raise AlreadyReviewed(
            _(
                "%(name)s reviewed this reply already; nothing was changed.",
                name=reply.reviewer.name if reply.reviewer else _("Someone"),
            )
        )
    node = rubric_of(reply)
    if len(verdicts) != len(node.rubric):
        raise ScenarioError(_("Mark every line of the rubric as met or not met."))
    lines = []
    by_skill: dict[str, list[float]] = {}
    for index, (line, verdict) in enumerate(zip(node.rubric, verdicts, strict=True)):
        text = (verdict.comment or "").strip()[:COMMENT_MAX_CHARS]
        lines.append(
            {"met": bool(verdict.met), "comment": text, "comment_html": rendered(text, index)}
        )
        by_skill.setdefault(line.skill, []).append(1.0 if verdict.met else 0.0)
    overall = (comment or "").strip()[:COMMENT_MAX_CHARS]
    overall_html = rendered(overall, None)
    reply.lines = lines
    reply.comment = overall
    reply.comment_html = overall_html
    reply.status = ReplyStatus.REVIEWED
    reply.reviewer_id = reviewer.id
    reply.reviewed_at = now
    db.session.flush()
    slug = reply.run.item.slug
    _record(
        reply.user_id,
        {skill: sum(values) / len(values) for skill, values in by_skill.items()},
        source_kind="review",
        source_id=slug,
        version_id=reply.version_id,
        at=now,
        ref=f"reply:{reply.id}",
    )
    from lms.notifications.services import notify

    notify(
        reply.user_id,
        "reply_reviewed",
        link=link,
        now=now,
        reviewer=reviewer.name,
        scenario=scenario_of(reply.run.version).title,
    )
    return reply


def pending_replies_query(*, team_of: int | None) -> sa.Select:
    """Open replies waiting for review, oldest first: each hire's latest reply to a node once
    (a reply a replay replaced is left out); `team_of` limits them to a manager's team (None:
    everyone's, for trainers)."""
    from lms.auth.permissions import team_member_ids_query

    statement = (
        sa.select(OpenReply)
        .where(OpenReply.status == ReplyStatus.PENDING, OpenReply.superseded_by_id.is_(None))
        .options(
            sa.orm.joinedload(OpenReply.user),
            sa.orm.joinedload(OpenReply.run).joinedload(ScenarioRun.item),
        )
        .order_by(OpenReply.submitted_at, OpenReply.id)
    )
    if team_of is not None:
        statement = statement.where(OpenReply.user_id.in_(team_member_ids_query(team_of)))
    return statement


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrillStanding:
    progress: ItemProgress
    open_run_id: int | None


def standings(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], DrillStanding]:
    """Best score, pass, finished attempts, first pass, last activity and the open run of many
    learners on many drills, in one query."""
    if not user_ids or not slugs:
        return {}
    finished = ScenarioRun.status == RunStatus.FINISHED
    newest = sa.orm.aliased(ScenarioRun)
    last_score = (
        sa.select(newest.score)
        .where(
            newest.user_id == ScenarioRun.user_id,
            newest.item_id == ContentItem.id,
            newest.status == RunStatus.FINISHED,
        )
        .order_by(newest.finished_at.desc(), newest.id.desc())
        .limit(1)
        .correlate(ScenarioRun, ContentItem)
        .scalar_subquery()
    )
    statement = (
        sa.select(
            ScenarioRun.user_id,
            ContentItem.slug,
            sa.func.max(sa.case((finished, ScenarioRun.score))),
            sa.func.sum(sa.case((finished, 1), else_=0)),
            sa.func.min(sa.case((ScenarioRun.passed.is_(True), ScenarioRun.finished_at))),
            sa.func.max(ScenarioRun.updated_at),
            sa.func.max(sa.case((ScenarioRun.status == RunStatus.OPEN, ScenarioRun.id))),
            last_score,
        )
        .join(ContentItem, ContentItem.id == ScenarioRun.item_id)
        .where(
            ScenarioRun.user_id.in_(list(user_ids)),
            ContentItem.kind == KIND,
            ContentItem.slug.in_(list(slugs)),
        )
        .group_by(ScenarioRun.user_id, ContentItem.id, ContentItem.slug)
    )
    found = {}
    for user_id, slug, best, attempts, passed_at, last, open_id, newest_score in db.session.execute(
        statement
    ):
        found[(user_id, slug)] = DrillStanding(
            ItemProgress(
                started=True,
                done=passed_at is not None,
                best_score=float(best) if best is not None else None,
                attempts=int(attempts or 0),
                done_at=passed_at,
                last_activity_at=last,
                last_score=float(newest_score) if newest_score is not None else None,
            ),
            open_id,
        )
    return found


changes_progress(ScenarioRun)


@provides("scenario")
def scenario_progress(
    user_ids: Sequence[int], slugs: Sequence[str]
) -> dict[tuple[int, str], ItemProgress]:
    """Progress on drills: done once passed; best score and attempts over finished runs."""
    return {key: standing.progress for key, standing in standings(user_ids, slugs).items()}
