"""Forms of the content import pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class ImportUploadForm(FlaskForm):
    archive = FileField(
        _l("Zip file"),
        validators=[FileRequired(message=_l("Choose a zip file to upload."))],
        description=_l(
            "A zip of courses/ and scenarios/ (or of one of them, or of their contents)."
        ),
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for confirming or discarding an upload."""


# The main navigation's entry for the import page.
IMPORT_NAV_LABEL = _l("Import")
