from sqlalchemy import select

from app.extensions import db
from app.main import bp
from app.services import health as health_checks


@bp.route("/health")
def health():
    """Liveness: the process answers and the database too."""
    db.session.execute(select(1))
    return {"status": "ok"}


@bp.route("/ready")
def ready():
    """Readiness for a load balancer: database migrated, Redis, a worker on the queue and its
    converter. 503 naming what failed."""
    checks = health_checks.readiness()
    failed = [c for c in checks if c.fatal and not c.ok]
    body = {
        "status": "not ready" if failed else "ready",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in checks},
    }
    return body, (503 if failed else 200), {"Cache-Control": "no-store"}


@bp.route("/")
def index():
    from app.dashboard.routes import render_dashboard

    return render_dashboard()
