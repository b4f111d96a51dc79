"""The in-browser plan editor: a new plan, or a plan's definition, edited as a web form."""

from flask import Blueprint

bp = Blueprint(
    "editor",
    __name__,
    url_prefix="/editor",
    static_folder="static",
    static_url_path="/static/editor",
)

from app.editor import routes  # noqa: E402,F401
