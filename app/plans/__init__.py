from flask import Blueprint

bp = Blueprint("plans", __name__, url_prefix="/plans")

from app.plans import exchange, routes  # noqa: E402,F401
