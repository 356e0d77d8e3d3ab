"""The main navigation: each entry shows when its page exists and the user may open it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from lms.auth.permissions import Permission, permissions_of
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
