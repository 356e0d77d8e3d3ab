"""The old name of :mod:`lms.authoring.form_states` (the editor's hand-read form states; there
are no WTForms classes here), kept so that existing imports keep working."""

from lms.authoring.form_states import *  # noqa: F403
from lms.authoring.form_states import (  # noqa: F401
    EDIT_LOCALES,
    LOCALE_LABELS,
)
