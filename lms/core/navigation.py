"""The main navigation: each entry shows when its page exists and the user may open it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from lms.auth.permissions import Permission, has_permission, permissions_of
from lms.content.forms import IMPORT_NAV_LABEL


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: Permission


NAVIGATION = (
    NavItem("core.learn", _l("Home"), Permission.LEARN),
    NavItem("onboarding.my_path", _l("Onboarding"), Permission.LEARN),
    NavItem("courses.catalogue", _l("Courses"), Permission.LEARN),
    NavItem("scenarios.catalogue", _l("Drills"), Permission.LEARN),
    NavItem("skills.my_skills", _l("Skills"), Permission.LEARN),
    NavItem("planning.today", _l("My day"), Permission.LEARN),
    NavItem("team.overview", _l("Team"), Permission.VIEW_TEAM),
    NavItem("authoring.index", _l("Author"), Permission.AUTHOR_CONTENT),
    NavItem("reports.trainer_analytics", _l("Analytics"), Permission.VIEW_CONTENT_ANALYTICS),
    NavItem("content.import_form", IMPORT_NAV_LABEL, Permission.IMPORT_CONTENT),
    NavItem("people.admin_home", _l("Admin"), Permission.MANAGE_USERS),
)


def navigation_for(user) -> list[NavItem]:
    granted = permissions_of(user)
    return [
        item
        for item in NAVIGATION
        if item.permission in granted and item.endpoint in current_app.view_functions
    ]


HOMES = (
    (Permission.VIEW_TEAM, "team.overview"),
    (Permission.AUTHOR_CONTENT, "authoring.index"),
    (Permission.MANAGE_USERS, "people.admin_home"),
)


def home_for(user) -> str:
    """The page a user lands on after signing in: managers their team, trainers authoring,
    admins the admin page (in that order for someone holding several roles), everyone else
    their learning."""
    for permission, endpoint in HOMES:
        if has_permission(user, permission):
            return url_for(endpoint)
    return url_for("core.learn")
