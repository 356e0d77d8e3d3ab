"""The drill editor for trainers (draft, nodes and choices as forms, a graph, preview, publish)
and the analytics of each drill version.

Every change is a plain form POST that saves the draft and comes back to the page;
`static/js/scenario_editor.js` checks the node and settings forms while they are typed, with
the same checks (`editing.check`) that saving and publishing use."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, has_permission, permission_required
from lms.authoring import drafting
from lms.authoring import services as drafts
from lms.authoring.form_states import locale_label
from lms.authoring.messages import conflict_message
from lms.authoring.models import ContentDraft
from lms.authoring.validation import Problems
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.model import END_KINDS, Text
from lms.core.inputs import int_arg, is_ascii_digits, parse_json
from lms.extensions import db
from lms.i18n import content_locale
from lms.scenarios import analytics, editing, services
from lms.scenarios.conversation import Answered
from lms.scenarios.graph import layout
from lms.scenarios.kinds import AnswerError, kind_of
from lms.scenarios.player import current_node_id, preview_context, replay
from lms.skills.models import Skill

bp = Blueprint(
    "scenario_editor", __name__, template_folder="templates", url_prefix="/author/scenarios"
)


@bp.url_value_preprocessor
def _check_ids(endpoint, values) -> None:
    if not values:
        return
    for key in ("scenario_id", "node_id"):
        if key in values and not ID_RE.match(values[key]):
            abort(404)


SAVING_ENDPOINTS = frozenset(
    f"scenario_editor.{name}" for name in ("edit", "add_node", "delete_node", "move_node", "node")
)


@bp.before_request
def _refuse_conflicting_save():
    """A saving form carries the draft revision it was loaded with; if another trainer saved the
    draft since, nothing is saved and the trainer is told who did (no silent overwrite)."""
    if request.method != "POST" or request.endpoint not in SAVING_ENDPOINTS:
        return None
    if not has_permission(current_user, Permission.AUTHOR_CONTENT):
        return None
    raw = (request.form.get("revision") or "").strip()
    slug = (request.view_args or {}).get("scenario_id", "")
    if not is_ascii_digits(raw) or len(raw) > 9 or not ID_RE.match(slug):
        return None
    draft = drafts.find_draft(editing.KIND, slug)
    if draft is None or draft.revision == int(raw):
        return None
    name = draft.updated_by.name if draft.updated_by else None
    shown = _show_back(slug, conflict_message(name, draft.updated_at))
    if shown is not None:
        return shown
    flash(drafting.conflict_message(draft), "error")
    return redirect(url_for(".edit", scenario_id=slug)), 303


def _show_back(slug: str, message: str):
    """The settings or node page again with what the trainer typed (nothing saved) and the
    draft's current revision, so that saving again replaces the other version knowingly; None
    for the other saving forms (a move, a delete, a new node), which lose nothing typed."""
    state = editing.editing(slug)
    node_id = (request.view_args or {}).get("node_id", "")
    if state is None:
        return None
    if request.endpoint == "scenario_editor.edit":
        state.document = editing.apply_settings(state.document, request.form, [])
        flash(message, "error")
        return _edit_page(state, editing.check(state.document, slug), 409)
    if request.endpoint == "scenario_editor.node" and node_id in state.nodes:
        flash(message, "error")
        return _typed_node_page(state, node_id, 409)
    return None


def _typed_node_page(
    state: editing.Editing, node_id: str, status: int, extra: Problems | None = None
):
    """The node page with the form's fields as typed, nothing saved: without renaming the node
    or creating the nodes its "leads to a new node" fields name."""
    typed = {k: v for k, v in request.form.to_dict().items() if not k.endswith("new-next")}
    typed["id"] = node_id
    document = editing.apply_node(state.document, node_id, typed)[0]
    check = editing.check(document, state.slug)
    return _node_page(
        state, node_id, check, node=document["nodes"][node_id], status=status, extra=extra
    )


def _skills(locale: str) -> list[tuple[str, str]]:
    rows = db.session.scalars(
        sa.select(Skill).where(Skill.retired_at.is_(None)).order_by(Skill.position, Skill.id)
    )
    return [(skill.id, skill.title(locale)) for skill in rows]


def _state_or_404(scenario_id: str) -> editing.Editing:
    state = editing.editing(scenario_id)
    if state is None:
        abort(404)
    return state


# --- the list and a new drill -------------------------------------------------------------------


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    locale = content_locale()
    versions = store.current_versions(services.KIND)
    services.prefetch_items(list(versions.values()))
    drafts = {
        draft.slug: draft
        for draft in db.session.scalars(
            sa.select(ContentDraft)
            .where(ContentDraft.kind == services.KIND)
            .options(sa.orm.joinedload(ContentDraft.updated_by))
        )
    }
    rows = []
    for slug in sorted(set(versions) | set(drafts)):
        version = versions.get(slug)
        draft = drafts.get(slug)
        document = draft.document if draft is not None else version.document
        title = Text.of(document.get("title") or {slug: slug}).get(locale, document.get("language"))
        rows.append({"slug": slug, "title": title or slug, "version": version, "draft": draft})
    rows.sort(key=lambda row: row["title"].casefold())
    return render_template("scenarios/editor/index.html", rows=rows, problems=Problems(), typed={})


@bp.post("/new")
@permission_required(Permission.AUTHOR_CONTENT)
def create():
    typed = {
        "id": request.form.get("id", "")[:200],
        "title": request.form.get("title", "")[:5000],
        "language": request.form.get("language", "en"),
    }
    state, problems = editing.create(
        typed["id"], typed["title"], typed["language"], actor=current_user
    )
    if state is None:
        return render_template(
            "scenarios/editor/index.html", rows=[], problems=problems, typed=typed, only_new=True
        ), 400
    flash(
        _("Drill %(id)s created as a draft. Learners see it once you publish it.", id=state.slug),
        "success",
    )
    return redirect(url_for(".edit", scenario_id=state.slug))


# --- the drill page: settings, nodes, graph -----------------------------------------------------


def _edit_page(state: editing.Editing, check: editing.Check, status: int = 200, **extra: Any):
    locale = content_locale()
    graph = layout(
        state.document,
        locale=locale,
        href=lambda node_id: url_for(".node", scenario_id=state.slug, node_id=node_id),
    )
    return (
        render_template(
            "scenarios/editor/edit.html",
            state=state,
            check=check,
            graph=graph,
            skills=_skills(locale),
            locale=locale,
            locale_label=locale_label,
            difficulties=[
                ("", _("Not set")),
                ("1", _("Introductory")),
                ("2", _("Intermediate")),
                ("3", _("Advanced")),
            ],
            **extra,
        ),
        status,
    )


@bp.route("/<scenario_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def edit(scenario_id: str):
    state = _state_or_404(scenario_id)
    if request.method == "POST":
        document = editing.apply_settings(state.document, request.form, [])
        editing.save(state, document, actor=current_user)
        check = editing.check(state.document, state.slug)
        if check.general:
            flash(_("Settings saved in the draft. Some need fixing before you publish."), "warning")
            return _edit_page(state, check, 200)
        flash(_("Settings saved in the draft."), "success")
        return redirect(url_for(".edit", scenario_id=scenario_id))
    return _edit_page(state, editing.check(state.document, state.slug))


@bp.post("/<scenario_id>/check")
@permission_required(Permission.AUTHOR_CONTENT)
def check_settings(scenario_id: str):
    state = _state_or_404(scenario_id)
    document = editing.apply_settings(state.document, request.form, [])
    return jsonify(editing.check(document, scenario_id).general.as_json())


@bp.post("/<scenario_id>/nodes")
@permission_required(Permission.AUTHOR_CONTENT)
def add_node(scenario_id: str):
    state = _state_or_404(scenario_id)
    node_id = request.form.get("new-id", "").strip()[:200]
    kind = request.form.get("new-kind", "choice")
    try:
        document = editing.add_node(state.document, node_id, kind)
    except editing.EditorError as error:
        problems = Problems()
        problems.add(error.field, error.message)
        return _edit_page(
            state,
            editing.check(state.document, scenario_id),
            400,
            add_problems=problems,
            typed_new={"id": node_id, "kind": kind},
        )
    editing.save(state, document, actor=current_user)
    flash(_("Node %(id)s added. Fill it in and lead a reply to it.", id=node_id), "success")
    return redirect(url_for(".node", scenario_id=scenario_id, node_id=node_id))


@bp.post("/<scenario_id>/nodes/<node_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_node(scenario_id: str, node_id: str):
    state = _state_or_404(scenario_id)
    if node_id not in state.nodes:
        abort(404)
    editing.save(state, editing.delete_node(state.document, node_id), actor=current_user)
    flash(
        _("Node %(id)s deleted. Replies that led to it now need a new target.", id=node_id), "info"
    )
    return redirect(url_for(".edit", scenario_id=scenario_id, _anchor="nodes"))


@bp.post("/<scenario_id>/nodes/<node_id>/move")
@permission_required(Permission.AUTHOR_CONTENT)
def move_node(scenario_id: str, node_id: str):
    state = _state_or_404(scenario_id)
    if node_id not in state.nodes:
        abort(404)
    delta = -1 if request.form.get("direction") == "up" else 1
    editing.save(state, editing.move_node(state.document, node_id, delta), actor=current_user)
    return redirect(url_for(".edit", scenario_id=scenario_id, _anchor=f"node-{node_id}"))


# --- one node -----------------------------------------------------------------------------------


def _node_page(
    state: editing.Editing,
    node_id: str,
    check: editing.Check,
    *,
    node: dict | None = None,
    status: int = 200,
    extra: Problems | None = None,
):
    locale = content_locale()
    problems = check.node(node_id)
    if extra:
        for name, messages in extra.by_field.items():
            for message in messages:
                problems.add(name, message)
    raw = node if node is not None else state.nodes.get(node_id, {})
    skill_names = dict(_skills(locale))
    drill_skills = [s for s in state.document.get("skills") or () if isinstance(s, str)]
    point_skills = list(drill_skills)
    for choice in raw.get("choices") or ():
        for skill in (choice.get("points") or {}) if isinstance(choice, dict) else ():
            if skill not in point_skills:
                point_skills.append(skill)
    return (
        render_template(
            "scenarios/editor/node.html",
            state=state,
            node_id=node_id,
            node=raw,
            kind=editing._kind_of(raw),
            problems=problems,
            general=check.general,
            check=check,
            node_ids=list(state.nodes),
            point_skills=[(s, skill_names.get(s, s)) for s in point_skills],
            rubric_skills=[(s, skill_names.get(s, s)) for s in drill_skills],
            end_kinds=END_KINDS,
            locale=locale,
            locale_label=locale_label,
        ),
        status,
    )


@bp.route("/<scenario_id>/nodes/<node_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def node(scenario_id: str, node_id: str):
    state = _state_or_404(scenario_id)
    if node_id not in state.nodes:
        abort(404)
    if request.method == "GET":
        return _node_page(state, node_id, editing.check(state.document, scenario_id))
    try:
        document, new_id = editing.apply_node(state.document, node_id, request.form)
    except editing.EditorError as error:
        # Nothing is saved; the page shows what was typed, with the problem at its field.
        problems = Problems()
        problems.add(error.field, error.message)
        return _typed_node_page(state, node_id, 400, problems)
    editing.save(state, document, actor=current_user)
    action = request.form.get("action", "save")
    check = editing.check(document, scenario_id)
    if action != "save":
        return redirect(url_for(".node", scenario_id=scenario_id, node_id=new_id, _anchor="fields"))
    if check.node(new_id):
        flash(_("Saved in the draft. The marked fields need fixing before you publish."), "warning")
        return _node_page(state, new_id, check)
    flash(_("Node %(id)s saved in the draft.", id=new_id), "success")
    return redirect(url_for(".edit", scenario_id=scenario_id, _anchor=f"node-{new_id}"))


@bp.post("/<scenario_id>/nodes/<node_id>/check")
@permission_required(Permission.AUTHOR_CONTENT)
def check_node(scenario_id: str, node_id: str):
    state = _state_or_404(scenario_id)
    if node_id not in state.nodes:
        abort(404)
    try:
        document, new_id = editing.apply_node(
            state.document, node_id, {**request.form.to_dict(), "action": "save"}
        )
    except editing.EditorError as error:
        problems = Problems()
        problems.add(error.field, error.message)
        return jsonify(problems.as_json())
    check = editing.check(document, scenario_id)
    return jsonify(check.node(new_id).as_json())


# --- preview, publish, discard ------------------------------------------------------------------


@bp.route("/<scenario_id>/preview", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def preview(scenario_id: str):
    """Play the draft: answers travel in the page, nothing is stored, no evidence is written."""
    state = _state_or_404(scenario_id)
    check = editing.check(state.document, scenario_id)
    if check.scenario is None:
        flash(_("The draft has problems; fix them to play it."), "warning")
        return redirect(url_for(".edit", scenario_id=scenario_id))
    scenario = check.scenario
    answers = []
    message = None
    if request.method == "POST":
        answers = replay(scenario, parse_json(request.form.get("answers") or "[]", field="answers"))
        current = current_node_id(scenario, answers)
        node = scenario.nodes[current]
        if request.form.get("node") == current and request.form.get("step") == str(len(answers)):
            try:
                answer = kind_of(node).read_answer(node, request.form)
            except AnswerError as error:
                message = str(error)
            else:
                answers.append(
                    Answered(current, answer.edge.choice, answer.reply, dict(answer.edge.points))
                )
        else:
            message = _("That page was out of date; here is where the preview stands.")
    if message:
        flash(message, "warning")
    context = preview_context(
        scenario,
        editing.preview_html(scenario),
        answers,
        locale=content_locale(),
        step_url=url_for(".preview", scenario_id=scenario_id),
        restart_url=url_for(".preview", scenario_id=scenario_id),
        back_url=url_for(".edit", scenario_id=scenario_id),
    )
    return render_template("scenarios/editor/preview.html", state=state, **context)


@bp.post("/<scenario_id>/publish")
@permission_required(Permission.AUTHOR_CONTENT)
def publish(scenario_id: str):
    state = _state_or_404(scenario_id)
    if state.draft is None:
        flash(_("There is no draft to publish: the published version is current."), "info")
        return redirect(url_for(".edit", scenario_id=scenario_id))
    try:
        result = editing.publish(state, actor=current_user)
    except editing.EditorError as error:
        flash(error.message, "error")
        return _edit_page(state, editing.check(state.document, scenario_id), 400)
    if result.change == store.Change.UNCHANGED:
        flash(_("The draft matched the published version; nothing new was published."), "info")
    else:
        flash(
            _(
                "Published as version %(number)d. New runs use it; runs in progress keep theirs.",
                number=result.version.number,
            ),
            "success",
        )
    return redirect(url_for(".edit", scenario_id=scenario_id))


@bp.post("/<scenario_id>/discard")
@permission_required(Permission.AUTHOR_CONTENT)
def discard(scenario_id: str):
    state = _state_or_404(scenario_id)
    drafts.discard_draft(services.KIND, scenario_id)
    flash(_("The draft has been discarded."), "info")
    if state.version is not None:
        return redirect(url_for(".edit", scenario_id=scenario_id))
    return redirect(url_for(".index"))


# --- analytics ----------------------------------------------------------------------------------


@bp.get("/<scenario_id>/analytics")
@permission_required(Permission.VIEW_CONTENT_ANALYTICS)
def drill_analytics(scenario_id: str):
    report = analytics.report_for(scenario_id, int_arg("version", minimum=1), content_locale())
    if report is None:
        abort(404)
    return render_template("scenarios/editor/analytics.html", report=report)
