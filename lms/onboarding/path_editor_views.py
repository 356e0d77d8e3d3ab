"""The path editor (/author/paths): phases with their days, goals and skill targets; items with
their due days, moved with buttons; the rules checked on every page; publishing as a new
version (enrolled hires stay on the version they are pinned to)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.authoring import drafting
from lms.authoring.drafting_views import DraftEditorViews
from lms.content import store
from lms.content.kinds.editing import read_text
from lms.content.validators import PATH_ITEMS
from lms.core.forms import GENERAL, Problems
from lms.i18n import content_locale
from lms.onboarding import path_editing as editing
from lms.onboarding.status import content_titles

bp = Blueprint("path_editor", __name__, template_folder="templates", url_prefix="/author/paths")


views = DraftEditorViews(
    bp,
    id_arg="path_id",
    ids=("path_id", "phase_id", "item_id"),
    load=editing.editing,
    check=editing.check,
    edit_template="onboarding/path_editor/edit.html",
    edit_context=lambda state: {
        "item_kind": editing.item_kind,
        "ref_titles": editing.ref_titles(state.document),
        "kinds": list(PATH_ITEMS),
        "phase_name": editing.phase_name,
        "item_name": editing.item_name,
    },
    published=lambda number: _(
        "Published as version %(number)d. New hires get it; enrolled hires stay on their "
        "version until they are moved.",
        number=number,
    ),
)


def _refs() -> dict[str, list[str]]:
    return {kind: sorted(store.current_versions(kind)) for kind in editing.REF_KINDS}


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    rows = drafting.listing(editing.KIND, content_locale())
    return render_template("onboarding/path_editor/index.html", rows=rows)


@bp.post("/new")
@permission_required(Permission.AUTHOR_CONTENT)
def create():
    slug = (request.form.get("id") or "").strip()
    state, problem = editing.create(slug, read_text(request.form, "title"), actor=current_user)
    done = _("The path draft is created. Add its phases and items, then publish it.")
    return views.created(state, [problem], done)


@bp.route("/<path_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def edit(path_id: str):
    state = views.state_or_404(path_id)
    if request.method == "POST":
        document = dict(state.document, title=read_text(request.form, "title"))
        views.save(state, document, _("Saved in the draft."))
        return views.back_to_edit(path_id)
    return views.edit_page(state)


def _general(messages) -> Problems:
    """The problems of a phase or item form: they belong to the phase or item, not to one of
    its fields."""
    problems = Problems()
    for message in messages:
        problems.add(GENERAL, message)
    return problems


def _phase_page(state, values, phase_id, problems: Problems, status=200):
    return (
        render_template(
            "onboarding/path_editor/phase.html",
            state=state,
            values=values,
            phase_id=phase_id,
            problems=problems,
        ),
        status,
    )


@bp.route("/<path_id>/phases/new", methods=["GET", "POST"])
@bp.route("/<path_id>/phases/<phase_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def phase(path_id: str, phase_id: str | None = None):
    state = views.state_or_404(path_id)
    if request.method == "POST":
        try:
            document = editing.apply_phase(state.document, phase_id, request.form)
        except drafting.EditorError as error:
            return _phase_page(state, {}, phase_id, _general([str(error)]), 400)
        views.save(state, document, _("Phase saved in the draft."))
        return views.back_to_edit(path_id)
    values: dict[str, Any] = {}
    if phase_id is not None:
        values = editing.phase_values(state.phases[editing.phase_index(state.document, phase_id)])
    return _phase_page(state, values, phase_id, Problems())


@bp.post("/<path_id>/phases/<phase_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_phase(path_id: str, phase_id: str):
    state = views.state_or_404(path_id)
    try:
        document = editing.delete_phase(state.document, phase_id)
    except drafting.EditorError as error:
        flash(str(error), "error")
        return views.back_to_edit(path_id)
    views.save(state, document, _("Phase removed from the draft."))
    return views.back_to_edit(path_id)


def _item_page(state, values, phase_id, item_id, problems: Problems, status=200, warnings=()):
    refs = _refs()
    kind = values.get("kind")
    return (
        render_template(
            "onboarding/path_editor/item.html",
            state=state,
            values=values,
            phase_id=phase_id,
            item_id=item_id,
            problems=problems,
            warnings=warnings,
            kinds=list(PATH_ITEMS),
            refs=refs,
            ref_titles=content_titles((kind, slug) for slug in refs.get(kind, ())),
            ref_locale=content_locale(),
        ),
        status,
    )


@bp.route("/<path_id>/phases/<phase_id>/items/new", methods=["GET", "POST"])
@bp.route("/<path_id>/phases/<phase_id>/items/<item_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def item(path_id: str, phase_id: str, item_id: str | None = None):
    state = views.state_or_404(path_id)
    if request.method == "POST":
        try:
            document = editing.apply_item(state.document, phase_id, item_id, request.form)
        except drafting.EditorError as error:
            values = {"kind": request.form.get("kind"), "id": request.form.get("id", "")}
            return _item_page(state, values, phase_id, item_id, _general([str(error)]), 400)
        views.save(state, document, _("Item saved in the draft."))
        return views.back_to_edit(path_id, f"phase-{phase_id}")
    values: dict[str, Any] = {"kind": request.args.get("kind", "course")}
    if item_id is not None:
        try:
            index = editing.phase_index(state.document, phase_id)
        except drafting.EditorError:
            abort(404)
        items = state.document["phases"][index].get("items") or ()
        position = next(
            (i for i, it in enumerate(items) if isinstance(it, dict) and it.get("id") == item_id),
            None,
        )
        if position is None:
            abort(404)
        # the rules as they stand for this item, live: its problems and the advice on it
        check = views.check(state)
        name = editing.item_name(index, position)
        problems = _general(check.problems.get(name))
        warnings = check.warnings.get(name)
        values = editing.item_values(items[position])
        return _item_page(state, values, phase_id, item_id, problems, warnings=warnings)
    return _item_page(state, values, phase_id, item_id, Problems())


@bp.post("/<path_id>/phases/<phase_id>/check-item")
@bp.post("/<path_id>/phases/<phase_id>/items/<item_id>/check")
@permission_required(Permission.AUTHOR_CONTENT)
def check_item(path_id: str, phase_id: str, item_id: str | None = None):
    """The rules for the item form as typed, without saving it (`static/js/scenario_editor.js`
    shows them while the trainer types): its problems, and the advice on it."""
    state = views.state_or_404(path_id)
    try:
        document = editing.apply_item(state.document, phase_id, item_id, request.form)
    except drafting.EditorError as error:
        return jsonify(_general([str(error)]).as_json())
    index = editing.phase_index(document, phase_id)
    if item_id is None:
        position = len(document["phases"][index]["items"]) - 1  # a new item comes last
    else:  # in its place, whatever id the form gives it now
        position = editing.item_index(state.document["phases"][index]["items"], item_id)
    check = editing.check(document, state.slug)
    problems = check.problems.get(editing.item_name(index, position))
    advice = check.warnings.get(editing.item_name(index, position))
    return jsonify({"fields": {"advice": advice}, "general": problems, "count": len(problems)})


@bp.post("/<path_id>/phases/<phase_id>/items/<item_id>/move")
@permission_required(Permission.AUTHOR_CONTENT)
def move_item(path_id: str, phase_id: str, item_id: str):
    state = views.state_or_404(path_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    try:
        document = editing.move_item(state.document, phase_id, item_id, delta)
    except drafting.EditorError as error:
        flash(str(error), "error")
        return views.back_to_edit(path_id)
    views.save(state, document)
    return views.back_to_edit(path_id, f"item-{item_id}")


@bp.post("/<path_id>/phases/<phase_id>/items/<item_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_item(path_id: str, phase_id: str, item_id: str):
    state = views.state_or_404(path_id)
    try:
        document = editing.delete_item(state.document, phase_id, item_id)
    except drafting.EditorError as error:
        flash(str(error), "error")
        return views.back_to_edit(path_id)
    views.save(state, document, _("Item removed from the draft."))
    return views.back_to_edit(path_id)
