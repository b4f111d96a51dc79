from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.extensions import db
from app.main import bp
from app.models import Plan, Report
from app.services import access
from workflows import PlanFlow


@bp.route("/health")
def health():
    db.session.execute(select(1))
    return {"status": "ok"}


@bp.route("/")
def index():
    plans = db.session.scalars(access.plans_query(current_user).order_by(Plan.id.desc())).all()
    counts = dict(db.session.execute(
        access.reports_query(current_user).with_only_columns(Report.status, func.count())
        .group_by(Report.status)).all())
    return render_template("main/index.html", plans=plans, counts=counts,
                           plan_states=PlanFlow.STATE_LABELS)
