from flask import Blueprint

bp = Blueprint("consolidation", __name__)

from app.consolidation import routes  # noqa: E402,F401
