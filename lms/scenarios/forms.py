"""Forms of the review of open replies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from lms.scenarios.services import COMMENT_MAX_CHARS, Verdict


class RubricLineForm(Form):
    met = RadioField(
        _l("Verdict"),
        choices=[SelectChoice("1", _l("Met")), SelectChoice("0", _l("Not met"))],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Mark this line as met or not met.")),
            AnyOf(["1", "0"], message=_l("Mark this line as met or not met.")),
        ],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=COMMENT_MAX_CHARS)],
        render_kw={"rows": 2, "maxlength": COMMENT_MAX_CHARS},
    )


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("A word for the learner (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX_CHARS)],
        render_kw={"rows": 3, "maxlength": COMMENT_MAX_CHARS},
        description=_l("Markdown works here: **bold**, lists, links."),
    )

    @classmethod
    def for_rubric(cls, count: int) -> ReviewForm:
        """The form for a rubric of `count` lines; more or fewer lines posted are an error."""

        class Bound(cls):  # type: ignore[misc, valid-type]
            lines = FieldList(FormField(RubricLineForm), min_entries=count, max_entries=count)

        return Bound()

    def verdicts(self) -> list[Verdict]:
        return [
            Verdict(entry.form.met.data == "1", entry.form.comment.data or "")
            for entry in self.lines  # type: ignore[attr-defined]
        ]
