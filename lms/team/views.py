"""The manager's team: everyone who reports to them, directly or down the chain."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from flask import Blueprint, render_template
from flask_login import current_user

from lms.auth.permissions import (
    Permission,
    get_person_or_404,
    permission_required,
    team_member_ids_query,
)
from lms.extensions import db
from lms.people.models import User
from lms.timeutil import today

bp = Blueprint("team", __name__, template_folder="templates")


@bp.get("/team")
@permission_required(Permission.VIEW_TEAM)
def overview():
    members = db.session.scalars(
        sa.select(User)
        .options(joinedload(User.manager))
        .where(User.id.in_(team_member_ids_query(current_user.id)), User.active.is_(True))
        .order_by(User.start_date.desc().nulls_last(), User.name)
    ).all()
    return render_template("team/overview.html", members=members, today=today())


@bp.get("/team/<int:user_id>")
@permission_required(Permission.VIEW_TEAM)
def member(user_id: int):
    person = get_person_or_404(user_id)
    return render_template("team/member.html", person=person, today=today())
