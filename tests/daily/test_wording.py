"""Words of the trade: no doubled "ngày", names where codes were, service errors in the user's
language, every date typed dd/mm/yyyy."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import demo
from app.models import CalendarDay, Plan, ReportingPeriod


def login(client, username: str, password: str = demo.DEMO_PASSWORD) -> None:  # noqa: ANN001
    client.post("/auth/logout")
    resp = client.post("/auth/login", data={"username": username, "password": password})
    assert resp.status_code == 302


def test_wording_on_the_demo(client, db):  # noqa: ANN001
    demo.load_demo()
    db.session.commit()
    login(client, "chuyenvien.stttt-nt")
    home = client.get("/").get_data(as_text=True)
    assert "ngày ngày" not in home and "Tình hình báo cáo đến ngày" in home
    nt = db.session.scalar(select(Plan).where(Plan.code == demo.NINH_THUAN))
    closed = next(p for p in nt.periods if p.missing_agencies)
    page = client.get(f"/plans/{nt.id}").get_data(as_text=True)
    block = page.split("Cơ quan không có báo cáo khi khóa sổ:")[1].split("</p>")[0]
    for code in closed.missing_agencies:
        assert code not in block  # names, not codes
    assert "Sở" in block or "Ban" in block or "Văn phòng" in block
    tv = db.session.scalar(select(Plan).where(Plan.code == demo.TRA_VINH))
    login(client, "chuyenvien.ca-tv")
    page = client.get(f"/plans/{tv.id}").get_data(as_text=True)
    (start, end) = (tv.periods[0].starts_on, tv.periods[0].ends_on)
    assert start < end and "Số liệu từ ngày" in page
    notes = client.get("/notifications?all=1").get_data(as_text=True)
    assert "Báo cáo báo cáo" not in notes


def test_service_errors_speak_the_users_language(client, db):  # noqa: ANN001
    demo.load_demo()
    db.session.commit()
    tv = db.session.scalar(select(Plan).where(Plan.code == demo.TRA_VINH))
    period = db.session.scalar(select(ReportingPeriod).where(ReportingPeriod.plan_id == tv.id))
    login(client, "baocao.stttt-tv")
    url = f"/periods/{period.id}/extension"
    resp = client.post(url, data={"requested_due": "01/01/2020", "reason": "Chờ số liệu"})
    assert "Hạn đề nghị phải sau hạn hiện tại" in resp.get_data(as_text=True)
    client.post("/auth/lang/en")
    resp = client.post(url, data={"requested_due": "01/01/2020", "reason": "Waiting"})
    text = resp.get_data(as_text=True)
    assert "The requested deadline must be after the current one" in text
    assert "Hạn đề nghị phải sau" not in text
    # dd/mm/yyyy in the date inputs, never a native date box
    page = client.get(url).get_data(as_text=True)
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page


def test_admin_types_dates_dd_mm_yyyy(client, db, make_agency, make_user):  # noqa: ANN001
    from app.models import Role

    home = make_agency("VP-TV")
    make_user("quantri", home, [Role.ADMIN])
    db.session.commit()
    login(client, "quantri", "secret-pass")
    page = client.get("/quan-tri/lich?nam=2027").get_data(as_text=True)
    assert 'type="date"' not in page and 'placeholder="dd/mm/yyyy"' in page
    resp = client.post(
        "/quan-tri/lich", data={"day": "03/09/2027", "kind": "holiday", "name": "Nghỉ thêm"}
    )
    assert resp.status_code == 302
    assert db.session.get(CalendarDay, date(2027, 9, 3)).name == "Nghỉ thêm"
    resp = client.post("/quan-tri/lich", data={"day": "31/02/2027", "kind": "holiday", "name": "x"})
    assert "không phải là ngày hợp lệ" in resp.get_data(as_text=True)
