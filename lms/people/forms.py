from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from lms.people.models import Role
from lms.people.services import EMAIL_RE


def Email():  # noqa: N802 - reads like the other WTForms validators
    return Regexp(EMAIL_RE, message=_l("Enter a valid e-mail address."))


ROLE_LABELS = {
    Role.TRAINER: _l("Trainer"),
    Role.MANAGER: _l("Manager"),
    Role.ADMIN: _l("Admin"),
}
LOCALE_CHOICES = [
    SelectChoice("", _l("From the browser")),
    SelectChoice("en", "English"),
    SelectChoice("zh_CN", "简体中文"),
]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        description=_l("Everyone can learn; roles add trainer, manager or admin pages."),
    )
    manager_email = EmailField(
        _l("Manager's e-mail"),
        validators=[Optional(), Email(), Length(max=254)],
        description=_l("The person this user reports to. Leave empty for none."),
    )
    start_date = DateField(_l("Start date"), validators=[Optional()])
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, validators=[Optional()])


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Initial password"),
        validators=[Optional(), Length(max=128)],
        description=_l("Optional. Without one, the person cannot log in until you set it."),
    )


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class RosterForm(FlaskForm):
    file = FileField(
        _l("Roster file (CSV)"),
        validators=[FileRequired(_l("Choose a CSV file."))],
        description=_l(
            "Columns: email,name,manager_email,start_date,roles. UTF-8, as Excel saves it."
        ),
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that POST."""
