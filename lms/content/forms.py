"""Forms of the content import pages, and the message for a refused Markdown field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from lms.content.markdown import MarkdownError


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


def markdown_problem(error: MarkdownError, field) -> LazyString:
    """The message for a form whose Markdown field `field` (a label such as "The comment") the
    renderer refuses."""
    if error.reason == MarkdownError.TOO_LONG:
        limit = format(int(error.limit), ",")
        return _l(
            "%(field)s: the text is too long to format (at most %(limit)s characters).",
            field=field,
            limit=limit,
        )
    if error.reason == MarkdownError.TOO_DEEP:
        return _l(
            "%(field)s: the formatting is nested too deeply (at most %(limit)d levels of lists, "
            "quotes and indentation).",
            field=field,
            limit=int(error.limit),
        )
    if error.reason == MarkdownError.TOO_SLOW:
        return _l(
            "%(field)s: the text takes too long to format. Shorten or split it, and avoid long "
            "runs of unclosed brackets or angle brackets.",
            field=field,
        )
    return _l("%(field)s: the text could not be formatted. Simplify its formatting.", field=field)
