"""The path editor (/author/paths): phases with their days, goals and skill targets; items with
their due days, moved with buttons; the rules checked on every page; publishing as a new
version (enrolled hires stay on the version they are pinned to)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.authoring import services as drafts
from lms.authoring.services import DraftConflict
from lms.content import store
from lms.content.checks import ID_RE
from lms.content.kinds.editing import read_text
from lms.content.validators import PATH_ITEMS
from lms.core.inputs import is_ascii_digits
from lms.i18n import content_locale
from lms.onboarding import path_editing as editing

bp = Blueprint("path_editor", __name__, template_folder="templates", url_prefix="/author/paths")


@bp.url_value_preprocessor
def _check_ids(endpoint, values) -> None:
    for key in ("path_id", "phase_id", "item_id"):
        if values and key in values and not ID_RE.match(values[key]):
            abort(404)


def _state_or_404(path_id: str) -> editing.Editing:
    state = editing.editing(path_id)
    if state is None:
        abort(404)
    return state


def _revision() -> int:
    raw = (request.form.get("revision") or "").strip()
    return int(raw) if is_ascii_digits(raw) and len(raw) < 10 else -1


def _save(state: editing.Editing, document: dict[str, Any]) -> bool:
    try:
        editing.save(state, document, actor=current_user, revision=_revision())
    except DraftConflict as error:
        name = error.draft.updated_by.name if error.draft.updated_by else _("another trainer")
        flash(
            _(
                "%(name)s saved this draft while you were editing it. Your change was not saved: "
                "reload the page to see their version, then make your change again.",
                name=name,
            ),
            "error",
        )
        return False
    return True


def _refs(locale: str) -> dict[str, list[str]]:
    return {kind: sorted(store.current_versions(kind)) for kind in editing.REF_KINDS}


@bp.get("")
@permission_required(Permission.AUTHOR_CONTENT)
def index():
    live = store.current_versions("path")
    draft_rows = {d.slug: d for d in drafts.drafts_of("path")}
    rows = [
        {"slug": slug, "version": live.get(slug), "draft": draft_rows.get(slug)}
        for slug in sorted(set(live) | set(draft_rows))
    ]
    return render_template("onboarding/path_editor/index.html", rows=rows)


@bp.post("/new")
@permission_required(Permission.AUTHOR_CONTENT)
def create():
    slug = (request.form.get("id") or "").strip()
    state, problem = editing.create(slug, read_text(request.form, "title"), actor=current_user)
    if state is None:
        flash(problem, "error")
        return redirect(url_for(".index")), 303
    flash(_("The path draft is created. Add its phases and items, then publish it."), "success")
    return redirect(url_for(".edit", path_id=slug)), 303


def _edit_page(state: editing.Editing, status: int = 200):
    return (
        render_template(
            "onboarding/path_editor/edit.html",
            state=state,
            check=editing.check(state.document, state.slug),
            locale=content_locale(),
            item_kind=editing.item_kind,
            kinds=list(PATH_ITEMS),
        ),
        status,
    )


@bp.route("/<path_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def edit(path_id: str):
    state = _state_or_404(path_id)
    if request.method == "POST":
        document = dict(state.document, title=read_text(request.form, "title"))
        if _save(state, document):
            flash(_("Saved in the draft."), "success")
        return redirect(url_for(".edit", path_id=path_id)), 303
    return _edit_page(state)


def _phase_page(state, values, phase_id, problems, status=200):
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
    state = _state_or_404(path_id)
    if request.method == "POST":
        try:
            document = editing.apply_phase(state.document, phase_id, request.form)
        except editing.EditorError as error:
            return _phase_page(state, {}, phase_id, [str(error)], 400)
        if _save(state, document):
            flash(_("Phase saved in the draft."), "success")
        return redirect(url_for(".edit", path_id=path_id)), 303
    values: dict[str, Any] = {}
    if phase_id is not None:
        values = editing.phase_values(state.phases[editing.phase_index(state.document, phase_id)])
    return _phase_page(state, values, phase_id, [])


@bp.post("/<path_id>/phases/<phase_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_phase(path_id: str, phase_id: str):
    state = _state_or_404(path_id)
    try:
        document = editing.delete_phase(state.document, phase_id)
    except editing.EditorError as error:
        flash(str(error), "error")
        return redirect(url_for(".edit", path_id=path_id)), 303
    if _save(state, document):
        flash(_("Phase removed from the draft."), "success")
    return redirect(url_for(".edit", path_id=path_id)), 303


def _item_page(state, values, phase_id, item_id, problems, status=200):
    return (
        render_template(
            "onboarding/path_editor/item.html",
            state=state,
            values=values,
            phase_id=phase_id,
            item_id=item_id,
            problems=problems,
            kinds=list(PATH_ITEMS),
            refs=_refs(content_locale()),
        ),
        status,
    )


@bp.route("/<path_id>/phases/<phase_id>/items/new", methods=["GET", "POST"])
@bp.route("/<path_id>/phases/<phase_id>/items/<item_id>", methods=["GET", "POST"])
@permission_required(Permission.AUTHOR_CONTENT)
def item(path_id: str, phase_id: str, item_id: str | None = None):
    state = _state_or_404(path_id)
    if request.method == "POST":
        try:
            document = editing.apply_item(state.document, phase_id, item_id, request.form)
        except editing.EditorError as error:
            values = {"kind": request.form.get("kind"), "id": request.form.get("id", "")}
            return _item_page(state, values, phase_id, item_id, [str(error)], 400)
        if _save(state, document):
            flash(_("Item saved in the draft."), "success")
        return redirect(url_for(".edit", path_id=path_id) + f"#phase-{phase_id}"), 303
    values: dict[str, Any] = {"kind": request.args.get("kind", "course")}
    if item_id is not None:
        try:
            index = editing.phase_index(state.document, phase_id)
        except editing.EditorError:
            abort(404)
        raw = next(
            (it for it in state.phases[index].get("items") or () if it.get("id") == item_id), None
        )
        if raw is None:
            abort(404)
        values = editing.item_values(raw)
    return _item_page(state, values, phase_id, item_id, [])


@bp.post("/<path_id>/phases/<phase_id>/items/<item_id>/move")
@permission_required(Permission.AUTHOR_CONTENT)
def move_item(path_id: str, phase_id: str, item_id: str):
    state = _state_or_404(path_id)
    delta = -1 if request.form.get("direction") == "up" else 1
    try:
        document = editing.move_item(state.document, phase_id, item_id, delta)
    except editing.EditorError as error:
        flash(str(error), "error")
        return redirect(url_for(".edit", path_id=path_id)), 303
    _save(state, document)
    return redirect(url_for(".edit", path_id=path_id) + f"#item-{item_id}"), 303


@bp.post("/<path_id>/phases/<phase_id>/items/<item_id>/delete")
@permission_required(Permission.AUTHOR_CONTENT)
def delete_item(path_id: str, phase_id: str, item_id: str):
    state = _state_or_404(path_id)
    try:
        document = editing.delete_item(state.document, phase_id, item_id)
    except editing.EditorError as error:
        flash(str(error), "error")
        return redirect(url_for(".edit", path_id=path_id)), 303
    if _save(state, document):
        flash(_("Item removed from the draft."), "success")
    return redirect(url_for(".edit", path_id=path_id)), 303


@bp.post("/<path_id>/publish")
@permission_required(Permission.AUTHOR_CONTENT)
def publish(path_id: str):
    state = _state_or_404(path_id)
    try:
        result = editing.publish(state, actor=current_user)
    except editing.EditorError as error:
        flash(str(error), "error")
        return _edit_page(state, 400)
    flash(
        _(
            "Published as version %(number)d. New hires get it; enrolled hires stay on their "
            "version until they are moved.",
            number=result.version.number,
        ),
        "success",
    )
    return redirect(url_for(".edit", path_id=path_id)), 303


@bp.post("/<path_id>/discard")
@permission_required(Permission.AUTHOR_CONTENT)
def discard(path_id: str):
    _state_or_404(path_id)
    drafts.discard_draft(editing.KIND, path_id)
    flash(_("The draft is discarded."), "success")
    return redirect(url_for(".edit", path_id=path_id)), 303
