"""Imports every model module so that the metadata (and Alembic) knows every table."""

from lms.audit import models as audit_models  # noqa: F401
from lms.auth import models as auth_models  # noqa: F401
from lms.authoring import models as authoring_models  # noqa: F401
from lms.content import models as content_models  # noqa: F401
from lms.courses import models as course_models  # noqa: F401
from lms.notifications import models as notification_models  # noqa: F401
from lms.onboarding import models as onboarding_models  # noqa: F401
from lms.people import models as people_models  # noqa: F401
from lms.planning import models as planning_models  # noqa: F401
from lms.quizzes import models as quiz_models  # noqa: F401
from lms.reports import models as report_models  # noqa: F401
from lms.scenarios import models as scenario_models  # noqa: F401
from lms.skills import models as skill_models  # noqa: F401
