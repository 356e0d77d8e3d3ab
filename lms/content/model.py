"""The old name of :mod:`lms.content.curriculum` (the curriculum's plain data classes), kept so
that existing imports keep working. New code imports ``lms.content.curriculum``."""

from lms.content.curriculum import *  # noqa: F403
from lms.content.curriculum import DEFAULT_LANGUAGE, END_KINDS, Number  # noqa: F401
