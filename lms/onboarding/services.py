"""Onboarding services, split by concern: enrollments (:mod:`lms.onboarding.enrollments`),
sign-offs (:mod:`lms.onboarding.signoffs`) and check-ins (:mod:`lms.onboarding.checkins`).

This module keeps every name importable from its old place. Importing it (or the three modules)
registers the progress providers of `task` and `checkin` items and the skill-target source.
"""

from lms.onboarding.checkins import (  # noqa: F401
    _NUMBER,
    ActionInput,
    CheckInInvalid,
    GoalInput,
    OutcomeInput,
    check_actions,
    check_goals,
    checkin_progress_provider,
    checkins_of,
    goal_window,
    hold_checkin,
    open_goals,
    parse_date,
    parse_number,
)
from lms.onboarding.enrollments import (  # noqa: F401
    AFTER_LAST_PHASE_DAYS,
    MAX_ACTIONS,
    MAX_COMMENT,
    MAX_GOALS,
    MAX_NOTES,
    MAX_REASON,
    MIN_GOAL_TEXT,
    SIGNOFF_RATINGS,
    EnrollResult,
    OnboardingError,
    _done_when,
    _item_of,
    _path_version,
    _split_slugs,
    active_enrollment,
    active_enrollments,
    enroll,
    enroll_many,
    find_item,
    live_path_titles,
    live_paths,
    newer_version_number,
    path_skills,
    phase_targets,
    upgrade_enrollment,
)
from lms.onboarding.signoffs import (  # noqa: F401
    sign_off,
    signoff_in_force,
    task_progress_provider,
    undo_sign_off,
)
