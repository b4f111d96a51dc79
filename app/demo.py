"""Demo data: the example plans in ``plans/`` with their agencies and one user per role, placed
relative to today so the demo looks alive on any date:

- Trà Vinh (one report): issued three weeks ago, the round **closes in three working days**;
  one report accepted, one awaiting the specialist, one returned, one awaiting agency approval.
- Ninh Thuận (yearly): the round of two years ago **consolidated** (report released), last
  year's round **late** (past its deadline, agencies still missing), this year's round **open**
  (reports arriving, one extension asked).

The working-day calendar (statutory holidays and announced swaps) is seeded for every year the
demo touches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import ROLE_LABELS, Agency, Plan, Role, User

PLANS_DIR = Path(__file__).resolve().parent.parent / "plans"
DEMO_PASSWORD = "kehoach-demo"
TRA_VINH = "tra-vinh-2024-nhan-quyen"
NINH_THUAN = "ninh-thuan-2023-2028-truyen-thong-nhan-quyen"
ROLE_PREFIX = {
    Role.SPECIALIST: "chuyenvien",
    Role.CLERK: "vanthu",
    Role.SIGNER: "lanhdao",
    Role.REPORTER: "baocao",
    Role.AGENCY_LEADER: "lanhdaocq",
}
# Mã định danh (edXML exchange, docs/edxml.md) of the demo agencies: plausible, not official —
# the province's People's Committee 000.00.00.Hxx, its level-2 bodies 000.00.NN.Hxx. The Party's
# bodies (Ban Tuyên giáo Tỉnh ủy), the newspaper and the broadcaster have none, so the document
# page shows a recipient without a code.
DEMO_ORGAN_IDS = {
    "UBND-TV": "000.00.00.H57",
    "STTTT-TV": "000.00.01.H57",
    "SVHTTDL-TV": "000.00.02.H57",
    "VPUBND-TV": "000.00.03.H57",
    "STP-TV": "000.00.04.H57",
    "SNV-TV": "000.00.05.H57",
    "SLDTBXH-TV": "000.00.06.H57",
    "SGDDT-TV": "000.00.07.H57",
    "SYT-TV": "000.00.08.H57",
    "BDT-TV": "000.00.09.H57",
    "CA-TV": "000.00.10.H57",
    "BCHQS-TV": "000.00.11.H57",
    "BDBP-TV": "000.00.12.H57",
    "BCDNQ-TV": "000.00.13.H57",
    "UBND-TV-TPTRAVINH": "000.00.14.H57",
    "UBND-TV-TXDUYENHAI": "000.00.15.H57",
    "UBND-TV-CANGLONG": "000.00.16.H57",
    "UBND-TV-CAUKE": "000.00.17.H57",
    "UBND-TV-TIEUCAN": "000.00.18.H57",
    "UBND-TV-CHAUTHANH": "000.00.19.H57",
    "UBND-TV-CAUNGANG": "000.00.20.H57",
    "UBND-TV-TRACU": "000.00.21.H57",
    "UBND-TV-DUYENHAI": "000.00.22.H57",
    "UBND-NT": "000.00.00.H44",
    "STTTT-NT": "000.00.01.H44",
    "VPUBND-NT": "000.00.02.H44",
    "CA-NT": "000.00.03.H44",
    "SLDTBXH-NT": "000.00.04.H44",
    "SKHDT-NT": "000.00.05.H44",
    "SCT-NT": "000.00.06.H44",
    "STP-NT": "000.00.07.H44",
    "SNV-NT": "000.00.08.H44",
    "SGDDT-NT": "000.00.09.H44",
    "BDT-NT": "000.00.10.H44",
    "UBND-NT-PHANRANG": "000.00.11.H44",
    "UBND-NT-BACAI": "000.00.12.H44",
    "UBND-NT-NINHSON": "000.00.13.H44",
    "UBND-NT-NINHHAI": "000.00.14.H44",
    "UBND-NT-NINHPHUOC": "000.00.15.H44",
    "UBND-NT-THUANBAC": "000.00.16.H44",
    "UBND-NT-THUANNAM": "000.00.17.H44",
}
# What each role does in the demo, said to a newcomer
ROLE_TASKS = {
    Role.SPECIALIST: "xem xét báo cáo, tổng hợp, gia hạn",
    Role.SIGNER: "ký văn bản",
    Role.CLERK: "vào số, phát hành văn bản",
    Role.REPORTER: "lập và gửi báo cáo của cơ quan",
    Role.AGENCY_LEADER: "duyệt báo cáo của cơ quan trước khi gửi",
    Role.ADMIN: "cơ quan, người dùng, lịch làm việc",
}


def demo_files() -> list[Path]:
    return sorted(PLANS_DIR.glob("*.yaml"))


_hashes: dict[str, str] = {}


def ensure_user(
    username: str, full_name: str, agency: Agency, roles: list[str], password: str = DEMO_PASSWORD
) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, full_name=full_name, agency_id=agency.id)
        if password not in _hashes:  # one slow hash for the shared demo password, not 60
            user.set_password(password)
            _hashes[password] = user.password_hash
        user.password_hash = _hashes[password]
        db.session.add(user)
    user.roles = roles
    return user


def username_for(role: str, agency: Agency) -> str:
    return f"{ROLE_PREFIX[Role(role)]}.{agency.code.lower()}"


_TITLES = {
    Role.SPECIALIST: "Chuyên viên",
    Role.CLERK: "Văn thư",
    Role.SIGNER: "Lãnh đạo",
    Role.REPORTER: "Cán bộ báo cáo",
    Role.AGENCY_LEADER: "Lãnh đạo",
}


def _user(agency: Agency, role: str) -> User:
    return ensure_user(
        username_for(role, agency), f"{_TITLES[Role(role)]} {agency.display_name}", agency, [role]
    )


def placed(data: dict, today: date) -> dict:
    """A plan file's data with its schedule moved relative to ``today``."""
    from app.services import calendar
    from app.ui import date_text

    schedule = data["schedule"]
    if data["code"] == TRA_VINH:
        due = calendar.add_working_days(today, 3)
        schedule.update(due=due, cutoff=due, starts=today - timedelta(days=21))
        schedule["deadline_text"] = f"chậm nhất đến {date_text(due)}"
    elif schedule.get("kind", "once") != "once":
        schedule["start"] = today.year - 2
        schedule["end"] = max(int(schedule.get("end") or today.year), today.year + 1)
    return data


def load_demo(today: date | None = None) -> bool:
    """Load every plan file in ``plans/`` not yet loaded, and its demo users, placed relative to
    ``today`` (default: the services' clock). True if anything was created."""
    from app.services import calendar, clock
    from app.services.loader import load, parse_file

    today = today or clock.today()
    created = False
    for path in demo_files():
        data = parse_file(path)
        if db.session.scalar(select(Plan).where(Plan.code == data["code"])) is not None:
            continue
        if not created:
            calendar.seed_years(range(today.year - 3, today.year + 3))
        plan = load(placed(data, today))
        created = True
        _users_for(plan)
        _organ_ids()
    if created:
        issuer = db.session.scalar(select(Agency).order_by(Agency.id))
        if issuer is not None:
            ensure_user("admin", "Quản trị hệ thống", issuer, [Role.ADMIN])
        db.session.flush()
        advance_demo(today)
    db.session.flush()
    return created


def _organ_ids() -> None:
    """Give the demo agencies their codes (never one the administrator already set)."""
    taken = set(db.session.scalars(select(Agency.organ_id).where(Agency.organ_id.is_not(None))))
    for agency in db.session.scalars(select(Agency).where(Agency.code.in_(DEMO_ORGAN_IDS))):
        code = DEMO_ORGAN_IDS[agency.code]
        if not agency.organ_id and code not in taken:
            agency.organ_id = code
            taken.add(code)
    db.session.flush()


def _at(day: date, hour: int = 9) -> datetime:
    from app.services import clock

    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.VN)


def _issue(plan: Plan, on: date) -> None:
    from app.services import clock, documents

    clock.set_now(_at(on))
    specialist = _user(plan.standing_agency, Role.SPECIALIST)
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    clock.set_now(_at(on, 10))
    documents.transition(doc, "sign", _user(plan.issuer, Role.SIGNER))
    clock.set_now(_at(on, 14))
    documents.transition(doc, "release", _user(plan.issuer, Role.CLERK), issued_on=on)


def _report(plan, period, agency: Agency, data: dict, on: date, until: str) -> None:  # noqa: ANN001
    """Take the agency's report of ``period`` on day ``on`` as far as ``until``: draft,
    awaiting_approval, submitted, accepted or returned."""
    from app.services import clock, reports

    reporter, leader = _user(agency, Role.REPORTER), _user(agency, Role.AGENCY_LEADER)
    specialist = _user(plan.standing_agency, Role.SPECIALIST)
    clock.set_now(_at(on, 8))
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(r, data, reporter, r.version)
    if until == "draft":
        return
    clock.set_now(_at(on, 9))
    reports.transition(r, "submit_for_approval", reporter)
    if until == "awaiting_approval":
        return
    clock.set_now(_at(on, 11))
    reports.transition(r, "approve", leader)
    if until == "submitted":
        return
    clock.set_now(_at(on, 15))
    if until == "accepted":
        reports.transition(r, "accept", specialist)
    elif until == "returned":
        reports.transition(
            r,
            "return_for_revision",
            specialist,
            comment="Đề nghị bổ sung số buổi tuyên truyền miệng và số người tham dự.",
        )


def _consolidate(plan: Plan, period, on: date) -> None:  # noqa: ANN001
    from app.services import clock, consolidation, documents
    from app.services import plans as plan_service

    specialist = _user(plan.standing_agency, Role.SPECIALIST)
    clock.set_now(_at(on))
    plan_service.close_round(period, specialist, comment="Hết hạn báo cáo, khóa sổ để tổng hợp.")
    doc = consolidation.draft_consolidated_report(period, specialist)
    documents.transition(doc, "request_signature", specialist)
    clock.set_now(_at(on + timedelta(days=1), 10))
    documents.transition(doc, "sign", _user(plan.standing_agency, Role.SIGNER))
    clock.set_now(_at(on + timedelta(days=1), 15))
    documents.transition(
        doc, "release", _user(plan.standing_agency, Role.CLERK), issued_on=on + timedelta(days=1)
    )


TV_SAMPLES: list[dict] = [
    {
        "banners": 12,
        "slogans_used": True,
        "articles": 4,
        "online_posts": 9,
        "difficulties": "Kinh phí in băng rôn còn hạn chế.",
    },
    {"banners": 30, "slogans_used": True, "e_billboards": 3, "leaflets": 500},
    {"banners": 5, "slogans_used": False, "oral_sessions": 2, "oral_participants": 120},
    {"banners": 8, "slogans_used": True, "articles": 2},
]


def _nt_sample(i: int, year: int) -> dict:
    return {
        "has_training": i % 3 != 2,
        "training_sessions": 1 + i % 4,
        "training_participants": 40 + 15 * i,
        "fake_news_detected": 2 + i % 5,
        "fake_news_handled": 2 + i % 5,
        "spokesperson_rate": 100 if i % 4 else 90,
        "press_conferences": i % 3,
        "media_products": 5 + 2 * i,
        "activities": [
            {
                "date": date(year, 3 + i % 9, 10 + i % 15).isoformat(),
                "form": "tap_huan",
                "content": "Tập huấn kiến thức về quyền con người cho cán bộ, công chức.",
                "place": "Hội trường cơ quan",
                "participants": 40 + 15 * i,
            }
        ],
        "difficulties": "Kinh phí tổ chức các hoạt động truyền thông còn hạn chế." if i % 2 else "",
    }


def advance_demo(today: date) -> None:
    """Bring both plans to life relative to ``today`` (see the module's docstring)."""
    from app.services import clock, deadlines
    from app.services import plans as plan_service

    try:
        tv = db.session.scalar(select(Plan).where(Plan.code == TRA_VINH))
        if tv is not None and tv.status == "draft":
            _issue(tv, today - timedelta(days=21))
            period = tv.periods[0]
            stages = ["accepted", "submitted", "returned", "awaiting_approval"]
            for i, (a, data, until) in enumerate(
                zip(tv.reporting_assignments, TV_SAMPLES, stages, strict=False)
            ):
                _report(tv, period, a.agency, data, today - timedelta(days=6 - i), until)

        nt = db.session.scalar(select(Plan).where(Plan.code == NINH_THUAN))
        if nt is not None and nt.status == "draft":
            by_year = {int(p.key[:4]): p for p in nt.periods}
            y = today.year
            _issue(nt, date(y - 2, 1, 8))
            agencies = [a.agency for a in nt.reporting_assignments]
            # two years ago: all but two agencies reported and were accepted; consolidated
            old = by_year[y - 2]
            for i, ag in enumerate(agencies[2:]):
                _report(
                    nt, old, ag, _nt_sample(i, y - 2), old.due_on - timedelta(days=3), "accepted"
                )
            _consolidate(nt, old, old.due_on + timedelta(days=5))
            # last year: late — a third reported, the others are past the deadline
            clock.set_now(_at(date(y - 1, 1, 5)))
            plan_service.open_due_periods(nt, date(y - 1, 1, 5))
            last = by_year[y - 1]
            for i, ag in enumerate(agencies[: len(agencies) // 3]):
                stage = "submitted" if i == 1 else "accepted"
                _report(nt, last, ag, _nt_sample(i, y - 1), last.due_on - timedelta(days=2), stage)
            # this year: open, the first reports arrive; one agency asks for more time
            clock.set_now(_at(today - timedelta(days=1)))
            plan_service.open_due_periods(nt, today - timedelta(days=1))
            now = by_year.get(y)
            if now is not None and now.status == "open":
                stages = ["submitted", "awaiting_approval", "draft"]
                for i, (ag, stage) in enumerate(zip(agencies[:3], stages, strict=False)):
                    _report(nt, now, ag, _nt_sample(i, y), today - timedelta(days=3 - i), stage)
                asker = _user(agencies[3], Role.REPORTER)
                clock.set_now(_at(today - timedelta(days=1), 16))
                deadlines.request_extension(
                    now,
                    asker,
                    deadlines.effective_due(now, asker.agency_id) + timedelta(days=7),
                    "Cơ quan đang tổng hợp số liệu từ các đơn vị trực thuộc.",
                )
    finally:
        clock.set_now(None)


def _users_for(plan: Plan) -> None:
    people = [
        (plan.standing_agency, Role.SPECIALIST),
        (plan.issuer, Role.SPECIALIST),
        (plan.issuer, Role.CLERK),
        (plan.issuer, Role.SIGNER),
        (plan.standing_agency, Role.CLERK),
        (plan.standing_agency, Role.SIGNER),
    ]
    for a in plan.reporting_assignments[:4]:
        people.append((a.agency, Role.REPORTER))
        people.append((a.agency, Role.AGENCY_LEADER))
    for agency, role in people:
        _user(agency, role)


def demo_accounts() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """For each demo plan: (plan heading, [(username, role in Vietnamese, what they do there)]),
    the accounts a newcomer should try first."""
    out: list[tuple[str, list[tuple[str, str, str]]]] = []
    users = {u.username: u for u in db.session.scalars(select(User))}
    for plan in db.session.scalars(select(Plan).order_by(Plan.id)):
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        people = [
            (plan.standing_agency, Role.SPECIALIST),
            (plan.issuer, Role.SIGNER),
            (plan.standing_agency, Role.SIGNER),
            (plan.issuer, Role.CLERK),
            (plan.standing_agency, Role.CLERK),
        ]
        for a in plan.reporting_assignments[:4]:
            people += [(a.agency, Role.REPORTER), (a.agency, Role.AGENCY_LEADER)]
        for agency, role in people:
            name = username_for(role, agency)
            if name in users and name not in seen:
                seen.add(name)
                rows.append(
                    (name, f"{ROLE_LABELS[role]} – {agency.display_name}", ROLE_TASKS[role])
                )
        heading = f"{plan.symbol or 'Dự thảo'} – {plan.title}"
        out.append((heading, rows))
    return out


def print_logins(echo: Callable[[str], None]) -> None:
    if db.session.scalar(select(User.id).limit(1)) is None:
        return
    echo(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
    if "admin" in {u for u in db.session.scalars(select(User.username))}:
        echo(f"  {'admin':<28} Quản trị – {ROLE_TASKS[Role.ADMIN]}")
    listed = 0
    for heading, rows in demo_accounts():
        echo("")
        echo(f"Kế hoạch {heading[:110]}")
        for name, role, task in rows:
            echo(f"  {name:<28} {role} ({task})")
            listed += 1
    if not listed:  # no demo plan: the accounts there are, with their roles in Vietnamese
        for u in db.session.scalars(select(User).order_by(User.id).limit(30)):
            roles = ", ".join(ROLE_LABELS[Role(r)] for r in sorted(u.roles))
            echo(f"  {u.username:<28} {roles} – {u.agency.display_name}")
