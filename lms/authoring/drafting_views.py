"""The view plumbing every document editor shares (the quiz and path editors): ids in the URL,
the document or 404, the revision a form was loaded with, saving with a conflict message,
publishing and discarding. Views call the services of :mod:`lms.authoring.drafting` and never
commit: the request commits once at its end."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.authoring import drafting
from lms.content.checks import ID_RE
from lms.core.inputs import is_ascii_digits
from lms.i18n import content_locale

MAX_REVISION_DIGITS = 9


def form_revision() -> int:
    """The draft revision the posted form was loaded with; -1 when it is missing or garbled, so
    that saving over an existing draft is refused rather than guessed."""
    raw = (request.form.get("revision") or "").strip()
    return int(raw) if is_ascii_digits(raw) and len(raw) <= MAX_REVISION_DIGITS else -1


class DraftEditorViews:
    """Registers the shared routes (``publish``, ``discard``) on an editor's blueprint and gives
    its views the shared steps.

    `load` finds the document being edited; `check` checks a document (and its id) as publishing
    would; the editor's main page is `edit_template`, given the document being edited (`state`),
    its `check`, the content `locale` and what `edit_context` adds; `published` words the flash
    message for a version number."""

    def __init__(
        self,
        bp: Blueprint,
        *,
        id_arg: str,
        ids: tuple[str, ...],
        load: Callable[[str], drafting.Editing | None],
        check: Callable[[dict[str, Any], str], Any],
        edit_template: str,
        edit_context: Callable[[Any], dict[str, Any]],
        published: Callable[[int], str],
    ) -> None:
        self.id_arg, self.ids = id_arg, ids
        self.load, self.checker, self.published = load, check, published
        self.edit_template, self.edit_context = edit_template, edit_context
        bp.url_value_preprocessor(self._check_ids)
        guard = permission_required(Permission.AUTHOR_CONTENT)
        bp.add_url_rule(f"/<{id_arg}>/publish", "publish", guard(self.publish), methods=["POST"])
        bp.add_url_rule(f"/<{id_arg}>/discard", "discard", guard(self.discard), methods=["POST"])

    def _check_ids(self, endpoint: str | None, values: dict[str, Any] | None) -> None:
        for key in self.ids:
            if values and key in values and not ID_RE.match(values[key]):
                abort(404)

    def check(self, state: drafting.Editing) -> Any:
        """The editor's check of the document being edited."""
        return self.checker(state.document, state.slug)

    def edit_page(self, state: drafting.Editing, status: int = 200):
        page = render_template(
            self.edit_template,
            state=state,
            check=self.check(state),
            locale=content_locale(),
            **self.edit_context(state),
        )
        return page, status

    def state_or_404(self, slug: str) -> Any:
        state = self.load(slug)
        if state is None:
            abort(404)
        return state

    def edit_url(self, slug: str, anchor: str = "") -> str:
        return url_for(".edit", **{self.id_arg: slug}) + (f"#{anchor}" if anchor else "")

    def back_to_edit(self, slug: str, anchor: str = ""):
        return redirect(self.edit_url(slug, anchor)), 303

    def created(self, state: drafting.Editing | None, problems: Iterable[str], done: str):
        """The answer to a "new document" form: its editor, or the list with the problems."""
        if state is None:
            for message in problems:
                flash(message, "error")
            return redirect(url_for(".index")), 303
        flash(done, "success")
        return self.back_to_edit(state.slug)

    def save(self, state: drafting.Editing, document: dict[str, Any], done: str = "") -> bool:
        """Save the draft with the form's revision; flash `done` when saved, or the conflict
        (nothing saved). Returns whether it was saved."""
        outcome = drafting.save(state, document, actor=current_user, revision=form_revision())
        if not outcome.is_done:
            flash(outcome.message, "error")
        elif done:
            flash(done, "success")
        return outcome.is_done

    def publish(self, **values: str):
        state = self.state_or_404(values[self.id_arg])
        outcome = drafting.publish(state, self.check(state), actor=current_user)
        if not outcome.is_done:
            flash(outcome.message, "error")
            return self.edit_page(state, 400)
        flash(self.published(outcome.result.version.number), "success")
        return self.back_to_edit(state.slug)

    def discard(self, **values: str):
        state = self.state_or_404(values[self.id_arg])
        drafting.discard(state)
        flash(_("The draft is discarded."), "success")
        if state.version is None:
            return redirect(url_for(".index")), 303
        return self.back_to_edit(state.slug)
