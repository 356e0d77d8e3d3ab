"""Content import in the browser: upload a zip, read the report, then apply it (or discard it).

The check step imports nothing: it validates the files and computes what would change. The
zip stays on the server under a random token bound to the uploader; the apply step reads it
from there, validates it again against the database as it is then, and imports it.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.auth.permissions import Permission, permission_required
from lms.content import archive
from lms.content.archive import ArchiveError, extracted_zip
from lms.content.forms import ConfirmForm, ImportUploadForm
from lms.content.importer import ImportReport, import_content, stored_counts
from lms.content.store import Change
from lms.content.uploads import claim_upload, discard_upload, save_upload
from lms.core.transaction import discard_changes

bp = Blueprint("content", __name__, template_folder="templates", url_prefix="/author/import")

KIND_LABELS = {
    "framework": _l("Skill framework"),
    "lesson": _l("Lessons"),
    "quiz": _l("Quizzes"),
    "scenario": _l("Scenarios"),
    "course": _l("Courses"),
    "path": _l("Onboarding paths"),
}
CHANGE_LABELS = {
    Change.ADDED: _l("Added"),
    Change.CHANGED: _l("Changed"),
    Change.UNCHANGED: _l("Unchanged"),
    Change.RETIRED: _l("Retired"),
}
CHANGE_BADGES = {
    Change.ADDED: "badge--ok",
    Change.CHANGED: "badge--warn",
    Change.UNCHANGED: "",
    Change.RETIRED: "badge--danger",
}


def _import_zip(data: bytes, *, apply: bool) -> ImportReport:
    with extracted_zip(data) as (scratch, folders):
        return import_content(
            [scratch / folder for folder in folders], actor=current_user, apply=apply
        )


def _page(form: ImportUploadForm, status: int = 200, **context):
    context.setdefault("report", None)
    return (
        render_template(
            "content/import.html",
            form=form,
            confirm=ConfirmForm(),
            stored=stored_counts(),
            kind_labels=KIND_LABELS,
            change_labels=CHANGE_LABELS,
            change_badges=CHANGE_BADGES,
            changes=(Change.ADDED, Change.CHANGED, Change.UNCHANGED, Change.RETIRED),
            limits={
                "zip_mib": archive.MAX_ZIP_BYTES // (1024 * 1024),
                "file_mib": archive.MAX_ENTRY_BYTES // (1024 * 1024),
                "files": archive.MAX_ENTRIES,
            },
            **context,
        ),
        status,
    )


@bp.get("")
@permission_required(Permission.IMPORT_CONTENT)
def import_form():
    return _page(ImportUploadForm())


@bp.post("")
@permission_required(Permission.IMPORT_CONTENT)
def import_check():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    upload = form.archive.data
    data = upload.read(archive.MAX_ZIP_BYTES + 1)
    try:
        report = _import_zip(data, apply=False)
    except ArchiveError as error:
        discard_changes()
        form.archive.errors.append(str(error))
        return _page(form, 400)
    discard_changes()
    token = None
    if report.ok and report.has_changes:
        token = save_upload(
            current_app.instance_path,
            user_id=current_user.id,
            filename=upload.filename or "",
            data=data,
        )
    return _page(ImportUploadForm(formdata=None), report=report, token=token)


@bp.post("/<token>")
@permission_required(Permission.IMPORT_CONTENT)
def import_apply(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    upload = claim_upload(current_app.instance_path, token, user_id=current_user.id)
    if upload is None:
        flash(
            _("This upload has expired or was already imported. Upload the zip again."),
            "warning",
        )
        return redirect(url_for(".import_form"))
    try:
        report = _import_zip(upload.data, apply=True)
    except ArchiveError as error:
        discard_changes()
        flash(str(error), "error")
        return redirect(url_for(".import_form"))
    if not report.ok:
        discard_changes()
        return _page(ImportUploadForm(formdata=None), report=report)
    flash(
        _(
            "Content imported: %(added)d added, %(changed)d changed, %(retired)d retired.",
            added=report.total(Change.ADDED),
            changed=report.total(Change.CHANGED),
            retired=report.total(Change.RETIRED),
        ),
        "success",
    )
    return _page(ImportUploadForm(formdata=None), report=report)


@bp.post("/<token>/discard")
@permission_required(Permission.IMPORT_CONTENT)
def import_discard(token: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if discard_upload(current_app.instance_path, token, user_id=current_user.id):
        flash(_("The upload was discarded. Nothing changed."), "info")
    return redirect(url_for(".import_form"))
