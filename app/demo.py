"""Demo data: the example plans in ``plans/`` with their agencies, and one user per role."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Plan, Role, User

PLANS_DIR = Path(__file__).resolve().parent.parent / "plans"
DEMO_PASSWORD = "kehoach-demo"
ROLE_PREFIX = {
    Role.SPECIALIST: "chuyenvien",
    Role.CLERK: "vanthu",
    Role.SIGNER: "lanhdao",
    Role.REPORTER: "baocao",
    Role.AGENCY_LEADER: "lanhdaocq",
}


def demo_files() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.yaml"))


def ensure_user(
    username: str, full_name: str, agency: Agency, roles: list[str], password: str = DEMO_PASSWORD
) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, agency_id=agency.id)
        user.set_password(password)
        db.session.add(user)
    user.roles = roles
    return user


def username_for(role: str, agency: Agency) -> str:
    return f"{ROLE_PREFIX[Role(role)]}.{agency.code.lower()}"


def load_demo() -> bool:
    """Load every plan file in ``plans/`` not yet loaded, and its demo users. True if anything
    was created."""
    from app.services.loader import load, parse_file

    created = False
    for path in demo_files():
        data = parse_file(path)
        if db.session.scalar(select(Plan).where(Plan.code == data["code"])) is not None:
            continue
        plan = load(data)
        created = True
        _users_for(plan)
    if created:
        issuer = db.session.scalar(select(Agency).order_by(Agency.id))
        if issuer is not None:
            ensure_user("admin", "Quản trị hệ thống", issuer, [Role.ADMIN])
        db.session.flush()
        advance_demo()
    db.session.flush()
    return created


def advance_demo() -> None:
    """Bring the Trà Vinh plan to life: issued with its number, three agencies reported (one
    returned for revision), the others still to report. Ninh Thuận stays a draft to work on."""
    from datetime import date, datetime, timedelta, timezone

    from app.services import clock, documents, reports

    plan = db.session.scalar(select(Plan).where(Plan.code == "tra-vinh-2024-nhan-quyen"))
    if plan is None or plan.status != "draft":
        return
    vn = timezone(timedelta(hours=7))

    def user(agency: Agency, role: str) -> User:
        return ensure_user(
            username_for(role, agency), f"{role} {agency.display_name}", agency, [role]
        )

    try:
        clock.set_now(datetime(2024, 11, 5, 9, tzinfo=vn))
        specialist = user(plan.standing_agency, Role.SPECIALIST)
        doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
        documents.transition(doc, "request_signature", specialist)
        documents.transition(doc, "sign", user(plan.issuer, Role.SIGNER))
        documents.transition(
            doc, "release", user(plan.issuer, Role.CLERK), issued_on=date(2024, 11, 5)
        )
        period = plan.periods[0]
        samples: list[dict[str, Any]] = [
            {
                "banners": 12,
                "slogans_used": True,
                "articles": 4,
                "online_posts": 9,
                "difficulties": "Kinh phí in băng rôn còn hạn chế.",
            },
            {"banners": 30, "slogans_used": True, "e_billboards": 3, "leaflets": 500},
            {"banners": 5, "slogans_used": False, "oral_sessions": 2, "oral_participants": 120},
        ]
        for i, (assignment, data) in enumerate(
            zip(plan.reporting_assignments[:3], samples, strict=False)
        ):
            clock.set_now(datetime(2024, 12, 18 + i, 10, tzinfo=vn))
            reporter = user(assignment.agency, Role.REPORTER)
            leader = user(assignment.agency, Role.AGENCY_LEADER)
            r = reports.start_report(plan, period, reporter)
            reports.save_draft(r, data, reporter, r.version)
            reports.transition(r, "submit_for_approval", reporter)
            reports.transition(r, "approve", leader)
            if i == 0:
                reports.transition(r, "accept", specialist)
            if i == 2:
                reports.transition(
                    r,
                    "return_for_revision",
                    specialist,
                    comment="Đề nghị bổ sung số buổi tuyên truyền miệng và số người tham dự.",
                )
    finally:
        clock.set_now(None)


def _users_for(plan: Plan) -> None:
    people = [
        (plan.standing_agency, Role.SPECIALIST, "Chuyên viên"),
        (plan.issuer, Role.SPECIALIST, "Chuyên viên"),
        (plan.issuer, Role.CLERK, "Văn thư"),
        (plan.issuer, Role.SIGNER, "Lãnh đạo"),
        (plan.standing_agency, Role.CLERK, "Văn thư"),
        (plan.standing_agency, Role.SIGNER, "Lãnh đạo"),
    ]
    for a in plan.reporting_assignments[:4]:
        people.append((a.agency, Role.REPORTER, "Cán bộ báo cáo"))
        people.append((a.agency, Role.AGENCY_LEADER, "Lãnh đạo"))
    for agency, role, title in people:
        ensure_user(username_for(role, agency), f"{title} {agency.display_name}", agency, [role])


def print_logins(echo: Callable[[str], None]) -> None:
    users = db.session.scalars(select(User).order_by(User.id)).all()
    if not users:
        return
    echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
    for u in users[:30]:
        echo(f"  {u.username:<32} {', '.join(sorted(u.roles)):<16} {u.agency.display_name}")
