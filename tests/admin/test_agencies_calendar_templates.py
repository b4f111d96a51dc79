"""Retiring an agency through the page moves its open work; calendar edits change deadlines;
agency templates are checked by a real RQ worker and used for that agency's documents."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

from sqlalchemy import select

from app.models import Agency, AgencyTemplate, Assignment, AuditEvent, CalendarDay, User
from app.services import calendar as workcal
from app.services import loader
from tests.files import stored_io
from tests.workers import run_rq_burst

ROOT = Path(__file__).resolve().parents[2]


def test_retire_with_successor_moves_assignments_and_shows_them(client, as_admin, make_user, db):
    plan = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    sttt = db.session.scalar(select(Agency).where(Agency.code == "STTTT-TV"))
    svh = db.session.scalar(select(Agency).where(Agency.code == "SVHTTDL-TV"))
    staff = make_user("canbo.sttt", sttt, ["reporter"])
    db.session.commit()
    page = client.get(f"/quan-tri/co-quan/{sttt.id}/giai-the").get_data(as_text=True)
    assert '<label for="successor_id">Cơ quan kế nhiệm</label>' in page

    resp = client.post(
        f"/quan-tri/co-quan/{sttt.id}/giai-the",
        data={"successor_id": str(svh.id), "on": "2025-02-28"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "hết hiệu lực sau ngày 28/02/2025" in page
    assert "Phần việc đã chuyển (1)" in page and plan.title in page and svh.name in page
    db.session.expire_all()
    sttt = db.session.get(Agency, sttt.id)
    assert sttt.valid_to == date(2025, 2, 28) and sttt.successor_id == svh.id
    old, merged = (
        db.session.scalar(
            select(Assignment).where(Assignment.plan_id == plan.id, Assignment.agency_id == a.id)
        )
        for a in (sttt, svh)
    )
    assert not old.reports  # the successor already had a part: the tasks are merged into it
    assert any("chỉ đạo các cơ quan truyền thông" in t for t in merged.tasks)
    assert "gộp vào phần việc sẵn có" in page
    assert db.session.get(User, staff.id).agency_id == svh.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retire")) is not None
    listing = client.get("/quan-tri/co-quan?q=thong tin truyen thong").get_data(as_text=True)
    assert "Hết hiệu lực" in listing and "kế nhiệm: " + svh.name in listing

    page = client.post(
        f"/quan-tri/co-quan/{svh.id}/giai-the",
        data={"successor_id": str(svh.id), "on": "2025-02-28"},
    ).get_data(as_text=True)
    assert "“Cơ quan kế nhiệm”: lựa chọn không hợp lệ." in page


def test_calendar_add_remove_and_load_change_working_days(client, as_admin, db):
    friday = date(2025, 8, 29)
    assert workcal.add_working_days(friday, 1) == date(2025, 9, 1)
    resp = client.post(
        "/quan-tri/lich",
        data={"day": "2025-09-01", "kind": "holiday", "name": "Nghỉ Quốc khánh (ngày liền kề)"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert workcal.add_working_days(friday, 1) == date(2025, 9, 2)
    client.post("/quan-tri/lich", data={"day": "2025-08-30", "kind": "workday", "name": "Làm bù"})
    db.session.expire_all()
    assert workcal.add_working_days(friday, 1) == date(2025, 8, 30)
    page = client.get("/quan-tri/lich?nam=2025").get_data(as_text=True)
    assert "01/09/2025" in page and "Ngày làm bù" in page

    client.post("/quan-tri/lich/2025-08-30/xoa")
    db.session.expire_all()
    assert workcal.add_working_days(friday, 1) == date(2025, 9, 2)
    page = client.post("/quan-tri/lich", data={"day": "", "kind": "holiday", "name": ""}).get_data(
        as_text=True
    )
    assert "Chưa nhập “Ngày”." in page and "Chưa nhập “Tên / lý do”." in page

    assert client.post("/quan-tri/lich/nap", data={"nam": "2025"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(CalendarDay, date(2025, 1, 29)).kind == "holiday"
    actions = [
        e.action
        for e in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "calendar_day")
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["calendar_set", "calendar_set", "calendar_remove", "calendar_load"]


# ----------------------------------------------------------------------------- templates


def docx_with(kind: str, extra: str) -> bytes:
    """The official template of ``kind`` with a last paragraph saying ``extra``."""
    src = (ROOT / "templates" / f"{kind}.docx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = data.decode("utf-8")
                at = xml.rindex("<w:sectPr")
                para = f'<w:p><w:r><w:t xml:space="preserve">{extra}</w:t></w:r></w:p>'
                data = (xml[:at] + para + xml[at:]).encode("utf-8")
            zout.writestr(item, data)
    return out.getvalue()


def upload(client, agency: Agency, kind: str, data: bytes, name: str = "mau.docx"):  # noqa: ANN001, ANN201
    return client.post(
        f"/quan-tri/co-quan/{agency.id}/mau",
        data={"kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_uploaded_templates_are_checked_by_the_worker_and_used(
    app, client, as_admin, home, make_agency, db, queued
):
    from worker import context

    good = docx_with("plan", "MẪU RIÊNG CỦA SỞ NỘI VỤ")
    bad = docx_with("report", " {{ unknown_var }}")
    assert upload(client, home, "plan", good).status_code == 302
    assert upload(client, home, "report", bad).status_code == 302
    page = client.get(f"/quan-tri/co-quan/{home.id}/mau").get_data(as_text=True)
    assert page.count("Đang kiểm tra") == 2
    assert queued.count == 2

    run_rq_burst(app, queued.name)

    db.session.expire_all()
    rows = {t.kind: t for t in db.session.scalars(select(AgencyTemplate))}
    assert rows["plan"].status == "accepted" and rows["plan"].problems == []
    assert rows["report"].status == "refused"
    assert any("unknown_var" in p for p in rows["report"].problems)
    page = client.get(f"/quan-tri/co-quan/{home.id}/mau").get_data(as_text=True)
    assert "Đã chấp nhận" in page and "đang dùng" in page
    assert "Bị từ chối" in page and "Mẫu dùng biến “unknown_var”" in page

    # the render job picks the accepted template for this agency and kind only
    own = context.template_for(home.id, "plan")
    assert own == good
    assert context.template_for(home.id, "report") == context.template_path("report")
    other = make_agency("STP-TV")
    assert context.template_for(other.id, "plan") == context.template_path("plan")
    assert {
        e.action
        for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "agency_template")
        )
    } == {"upload", "check"}


def test_a_file_that_is_not_docx_is_refused_at_once(client, as_admin, home, db, queued):
    resp = upload(client, home, "plan", b"%PDF-1.4 not a word file", "mau.docx")
    assert resp.status_code == 400
    assert "“Tệp mẫu” không phải là tệp Word (.docx)." in resp.get_data(as_text=True)
    resp = upload(client, home, "plan", b"PK\x03\x04" + b"x" * (2 * 1024 * 1024), "lon.docx")
    assert "“Tệp mẫu” lớn hơn 2 MB." in resp.get_data(as_text=True)
    resp = upload(client, home, "plan", b"PK\x03\x04broken", "hong.docx")
    assert "“Tệp mẫu” bị hỏng" in resp.get_data(as_text=True)
    page = client.post(
        f"/quan-tri/co-quan/{home.id}/mau",
        data={"kind": "plan"},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Chưa chọn “Tệp mẫu”." in page
    assert db.session.scalars(select(AgencyTemplate)).all() == []
    assert queued.count == 0


def test_the_render_job_uses_the_agencys_accepted_template(
    app, client, as_admin, db, queued, make_user
):
    from app.models import Document, Role
    from app.services import documents

    plan = loader.load(loader.parse_file(ROOT / "plans" / "tra-vinh-2024.yaml"))
    db.session.commit()
    issuer = plan.issuer
    assert (
        upload(client, issuer, "plan", docx_with("plan", "MẪU RIÊNG CỦA BAN CHỈ ĐẠO")).status_code
        == 302
    )
    run_rq_burst(app, queued.name)
    specialist = make_user("chuyenvien.bcd", plan.standing_agency, [Role.SPECIALIST])
    doc = documents.create_document("plan", issuer, plan.title, specialist, plan=plan)
    db.session.commit()
    run_rq_burst(app, queued.name)
    db.session.expire_all()
    doc = db.session.get(Document, doc.id)
    assert doc.render_state == "done", doc.render_error
    with zipfile.ZipFile(stored_io(app, doc.docx_path)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert "MẪU RIÊNG CỦA BAN CHỈ ĐẠO" in xml and plan.title[:30] in xml
