from sqlalchemy import select

from app.extensions import db
from app.main import bp


@bp.route("/health")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}


@bp.route("/")
def index():
    from app.dashboard.routes import render_dashboard

    return render_dashboard()
