"""The administrator area: agencies, users, the working-day calendar, agency templates.
Every route is for users with the ``admin`` role only."""

from flask import Blueprint, abort
from flask_login import current_user

from app.services import policy

bp = Blueprint("admin", __name__, url_prefix="/quan-tri")


@bp.before_request
def _admins_only():  # noqa: ANN202
    if not current_user.is_authenticated or not policy.can(current_user, "admin.area"):
        abort(403)
    return None


from app.admin import routes, signing  # noqa: E402,F401
