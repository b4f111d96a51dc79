"""Excel out and in: exports open with openpyxl holding the page's figures as numbers and dates
(and convert with LibreOffice Calc); an upload of repeating rows with a bad row is refused
naming the row and the column, and nothing is saved."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from app import demo
from app.models import Report, ReportingPeriod
from app.services import consolidation


def login(client, username: str, password: str = demo.DEMO_PASSWORD) -> None:  # noqa: ANN001
    client.post("/auth/logout")
    r = client.post("/auth/login", data={"username": username, "password": password})
    assert r.status_code == 302


@pytest.fixture
def demo_db(db):  # noqa: ANN001, ANN201
    demo.load_demo()
    db.session.commit()
    return db


def draft_with_rows(db):  # noqa: ANN001, ANN201
    """The demo's draft report of this year's Ninh Thuận round (its form has activity rows)."""
    from app.models import Plan

    return db.session.scalars(
        db.select(Report)
        .join(Plan, Plan.id == Report.plan_id)
        .where(Report.status == "draft", Plan.code == demo.NINH_THUAN)
    ).one()


def _book(resp) -> Workbook:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(resp.data))


def test_consolidated_results_hold_the_page_figures(client, demo_db, tmp_path):  # noqa: ANN001
    db = demo_db
    login(client, "chuyenvien.stttt-nt")
    period = db.session.scalars(
        db.select(ReportingPeriod).where(ReportingPeriod.status == "consolidated")
    ).first()
    results = consolidation.compute(period)
    wb = _book(client.get(f"/periods/{period.id}/consolidation.xlsx"))
    assert wb.sheetnames == ["Theo cơ quan", "Theo chỉ tiêu", "Tình hình báo cáo"]
    ws = wb["Theo cơ quan"]
    header = [c.value for c in ws[3]]
    assert header[:5] == ["STT", "Cơ quan", "Tình trạng", "Số ngày làm việc trễ", "Ngày gửi"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    names = [r[1] for r in rows]
    assert [a["agency_name"] for a in results["agencies"]] == names[: len(results["agencies"])]
    total = next(r for r in rows if r[1] == "Tổng cộng")
    numeric = [
        f
        for f in results["fields"]
        if f["type"] in ("integer", "decimal", "percentage", "computed") and f["rule"] != "none"
    ]
    col = header.index(next(h for h in header if h.startswith(numeric[0]["label"])))
    assert isinstance(total[col], (int, float)) and total[col] == float(numeric[0]["value"])
    sent = [r[4] for r in rows if r[4] is not None]
    assert sent and all(isinstance(v, datetime) for v in sent)  # dates, read back by openpyxl
    first = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=5).value)
    assert ws.cell(row=first, column=5).number_format == "DD/MM/YYYY"
    from app.ui import status_phrase

    with client.application.test_request_context():
        wanted = [status_phrase(a["timeliness"], a["days"]) for a in results["agencies"]]
    assert [r[2] for r in rows[: len(results["agencies"])]] == wanted
    summary = {r[0]: r[1] for r in wb["Tình hình báo cáo"].iter_rows(min_row=4, values_only=True)}
    assert summary["Phải báo cáo"] == results["summary"]["expected"]
    page = client.get(f"/periods/{period.id}/consolidation").get_data(as_text=True)
    assert f'<span class="num">{results["summary"]["expected"]}</span>' in page
    # LibreOffice Calc reads it: Vietnamese text and numbers survive a conversion to CSV
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required"
    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(client.get(f"/periods/{period.id}/consolidation.xlsx").data)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    csv = (tmp_path / "tong-hop.csv").read_text(encoding="utf-8")
    assert "Tổng cộng" in csv and results["agencies"][0]["agency_name"] in csv


def test_register_and_lists_export(client, demo_db):  # noqa: ANN001
    from app.models import Plan

    login(client, "vanthu.bcdnq-tv")
    year = demo_db.session.scalar(
        demo_db.select(Plan.issued_on).where(Plan.code == demo.TRA_VINH)
    ).year
    wb = _book(client.get(f"/documents/register?year={year}&xuat=xlsx"))
    ws = wb.active
    assert ws.cell(row=1, column=1).value.startswith("Sổ đăng ký văn bản đi")
    header = [c.value for c in ws[3]]
    assert header[:3] == ["Số", "Số, ký hiệu", "Ngày ban hành"]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] is not None]
    assert rows and all(isinstance(r[0], int) for r in rows)
    assert all(isinstance(r[2], datetime) for r in rows)  # a date cell
    assert ws.cell(row=4, column=3).number_format == "DD/MM/YYYY"
    login(client, "admin")
    for url, first in [
        ("/plans/?xuat=xlsx&q=nhan quyen", "Số, ký hiệu"),
        ("/documents/?xuat=xlsx", "Số, ký hiệu"),
        ("/quan-tri/co-quan?xuat=xlsx&q=so", "Mã"),
        ("/quan-tri/nguoi-dung?xuat=xlsx", "Tên đăng nhập"),
        ("/notifications?all=1&xuat=xlsx", "Thời gian"),
        ("/review?xuat=xlsx", "Cơ quan"),
        ("/dashboard.xlsx", "Kế hoạch"),
    ]:
        wb = _book(client.get(url))
        assert wb.active.cell(row=3, column=1).value == first, url
    wb = _book(client.get("/plans/?xuat=xlsx&q=tra vinh"))
    titles = [r[1] for r in wb.active.iter_rows(min_row=4, values_only=True)]
    assert len(titles) == 1 and "quyền con người" in titles[0]


def _sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhập liệu"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_upload_rows_from_the_template(client, demo_db):  # noqa: ANN001
    db = demo_db
    report = draft_with_rows(db)
    login(client, demo.username_for("reporter", report.agency))
    before = list(report.data.get("activities") or [])
    tpl = _book(client.get(f"/reports/{report.id}/rows/activities.xlsx"))
    header = [c.value for c in tpl["Nhập liệu"][1]]
    assert header == ["Ngày *", "Hình thức *", "Nội dung", "Địa điểm", "Số người tham gia (người)"]
    assert tpl["Nhập liệu"].data_validations.dataValidation  # a drop-down for "Hình thức"
    # a bad row: nothing is saved, the row and column are named
    bad = _sheet(
        [
            header,
            [date(2026, 3, 2), "Tập huấn, bồi dưỡng", "Tập huấn", "Hội trường", 40],
            ["31/02/2026", "Hội nghị cung cấp thông tin cho báo chí", "Họp báo", "", 20],
            [date(2026, 4, 1), "Múa lân", "", "", -5],
        ]
    )
    resp = client.post(
        f"/reports/{report.id}/rows/activities",
        data={"tep": (io.BytesIO(bad), "hoat-dong.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert "Dòng 3, cột “Ngày”" in text
    assert "Dòng 4, cột “Hình thức”" in text
    assert "Dòng 4, cột “Số người tham gia”" in text
    db.session.expire_all()
    assert (db.session.get(Report, report.id).data.get("activities") or []) == before
    good = _sheet(
        [
            header,
            [date(2026, 3, 2), "Tập huấn, bồi dưỡng", "Tập huấn cho cán bộ", "Hội trường", 40],
            ["15/11/2026", "hoi nghi cung cap thong tin cho bao chi", "Họp báo", "", 20.0],
        ]
    )
    resp = client.post(
        f"/reports/{report.id}/rows/activities",
        data={"tep": (io.BytesIO(good), "hoat-dong.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Đã nhập 2 dòng" in resp.get_data(as_text=True)
    db.session.expire_all()
    rows = db.session.get(Report, report.id).data["activities"]
    assert rows[0] == {
        "date": "2026-03-02",
        "form": "tap_huan",
        "content": "Tập huấn cho cán bộ",
        "place": "Hội trường",
        "participants": 40,
    }
    assert rows[1]["form"] == "hoi_nghi_bao_chi" and rows[1]["date"] == "2026-11-15"
    # not an Excel file at all
    resp = client.post(
        f"/reports/{report.id}/rows/activities",
        data={"tep": (io.BytesIO(b"not a zip"), "x.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Không đọc được tệp" in resp.get_data(as_text=True)
