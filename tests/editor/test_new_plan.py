"""A specialist writes a third plan of the family from scratch in the editor; it is issued and
reported on through the existing services. Errors, permissions, form versions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.models import Plan, Report, Role
from app.services import clock, consolidation, documents, reports
from tests.web.conftest import login

CODE = "huyen-cang-long-2025-mua-ban-nguoi"


@pytest.fixture
def county(make_agency, db):  # noqa: ANN001, ANN201
    out = {
        "ubnd": make_agency(
            "UBND-CL",
            name="Ủy ban nhân dân huyện Càng Long",
            abbreviation="UBND",
            level="other",
            place="Càng Long",
            header_parent="",
        ),
        "ca": make_agency(
            "CA-CL",
            name="Công an huyện Càng Long",
            abbreviation="CA",
            level="other",
            place="Càng Long",
        ),
        "vh": make_agency(
            "PVHTT-CL",
            name="Phòng Văn hóa và Thông tin huyện Càng Long",
            abbreviation="VHTT",
            level="other",
            place="Càng Long",
        ),
        "xa": make_agency(
            "UBND-XA-AT",
            name="Ủy ban nhân dân xã An Trường",
            abbreviation="UBND",
            level="commune",
            place="An Trường",
        ),
    }
    db.session.commit()
    return out


def third_plan(county) -> dict:  # noqa: ANN001
    d = {
        "top-keys": "",
        "code": CODE,
        "title": "Tuyên truyền phòng, chống mua bán người năm 2025",
        "issuer": "UBND-CL",
        "standing_agency": "CA-CL",
        "type": "KH",
        "draft_month": "1",
        "draft_year": "2025",
        "parent_plan": "",
        "legal_basis": "Căn cứ Luật Phòng, chống mua bán người năm 2024;\n"
        "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2025 của UBND tỉnh.",
        "preamble": "Ủy ban nhân dân huyện xây dựng Kế hoạch như sau:",
        "s-count": "3",
        "s-0-keys": "",
        "s-0-heading": "MỤC ĐÍCH, YÊU CẦU",
        "s-0-paragraphs": "",
        "s-0-items": "1. # Mục đích\nNâng cao nhận thức của Nhân dân.\n"
        "a) Đối với cán bộ\n- tập huấn nghiệp vụ\n- _lồng ghép sinh hoạt chi bộ_\n"
        "2. Bảo đảm thiết thực, hiệu quả.",
        "s-0-closing": "",
        "s-1-keys": "",
        "s-1-heading": "NỘI DUNG",
        "s-1-items": "1. Tuyên truyền trên hệ thống loa truyền thanh.",  # noqa: E501
        "s-2-keys": "",
        "s-2-heading": "TỔ CHỨC THỰC HIỆN",
        "s-2-assignments": "1",
        "s-2-closing": "Yêu cầu các cơ quan, đơn vị triển khai thực hiện./.",
        "a-count": "3",
        "a-0-keys": "",
        "a-0-agency": "CA-CL",
        "a-0-role": "lead",
        "a-0-label": "Công an huyện",
        "a-0-tasks": "chủ trì, theo dõi, tổng hợp kết quả thực hiện.",
        "a-0-inline": "1",
        "a-0-listed": "1",
        "a-0-reports": "1",
        "a-1-keys": "",
        "a-1-agency": "PVHTT-CL",
        "a-1-role": "cooperate",
        "a-1-tasks": "Treo băng rôn, khẩu hiệu.\nPhát thanh trên loa truyền thanh.",
        "a-1-listed": "1",
        "a-1-reports": "1",
        "a-2-keys": "",
        "a-2-agency": "UBND-XA-AT",
        "a-2-role": "cooperate",
        "a-2-tasks": "Tổ chức tuyên truyền tại thôn, ấp.",
        "a-2-listed": "1",
        "a-2-reports": "1",
        "a-2-due_working_days": "3",
        "sch-keys": "",
        "sch-kind": "quarterly",
        "sch-start": "2025",
        "sch-end": "2025",
        "sch-due_working_days": "5",
        "sch-report_to": "Công an huyện",
        "form-keys": "",
        "form-title": "Báo cáo kết quả tuyên truyền phòng, chống mua bán người",
        "f-count": "7",
        "f-0-keys": "",
        "f-0-name": "so_buoi",
        "f-0-label": "Số buổi tuyên truyền",
        "f-0-type": "integer",  # noqa: E501
        "f-0-required": "1",
        "f-0-min": "0",
        "f-0-unit": "buổi",
        "f-0-consolidate": "sum",
        "f-1-keys": "",
        "f-1-name": "tong_can_bo",
        "f-1-label": "Tổng số cán bộ",
        "f-1-type": "integer",  # noqa: E501
        "f-1-min": "0",
        "f-2-keys": "",
        "f-2-name": "da_tap_huan",
        "f-2-label": "Số cán bộ đã tập huấn",
        "f-2-type": "integer",
        "f-2-min": "0",
        "f-3-keys": "",
        "f-3-name": "ty_le_tap_huan",
        "f-3-label": "Tỷ lệ cán bộ được tập huấn",
        "f-3-type": "computed",
        "f-3-formula": "da_tap_huan / tong_can_bo * 100",
        "f-3-unit": "%",
        "f-4-keys": "",
        "f-4-name": "ty_le_ho_dan",
        "f-4-label": "Tỷ lệ hộ dân được tuyên truyền",
        "f-4-type": "percentage",
        "f-4-target": "90",
        "f-4-target_label": "Mục tiêu năm 2025: 90%",
        "f-4-consolidate": "avg",
        "f-5-keys": "",
        "f-5-name": "co_vu_viec",
        "f-5-label": "Có phát hiện vụ việc mua bán người không?",  # noqa: E501
        "f-5-type": "yesno",
        "f-5-consolidate": "count",
        "f-6-keys": "",
        "f-6-name": "so_vu_viec",
        "f-6-label": "Số vụ việc phát hiện",
        "f-6-type": "integer",
        "f-6-min": "0",
        "f-6-vi_field": "co_vu_viec",
        "f-6-vi_op": "equals",
        "f-6-vi_value": "có",
        "recipients": "UBND tỉnh (b/c)\nCông an tỉnh (b/c)\nUBND các xã, thị trấn",
        "archive": "VT, NC",
        "archive_copies": "",
        "sg-keys": "",
        "sg-authority": "TM.",
        "sg-authority_of": "ỦY BAN NHÂN DÂN",
        "sg-title": "CHỦ TỊCH",
        "sg-position_note": "",
        "sg-name": "Nguyễn Văn A",
        "_op": "save",
    }
    return d


def add_group(d: dict) -> dict:
    d = dict(
        d,
        **{
            "f-count": "8",
            "f-7-keys": "",
            "f-7-name": "hoat_dong",
            "f-7-label": "Các hoạt động đã tổ chức",
            "f-7-type": "group",
            "f-7-consolidate": "rows",
            "f-7-c-count": "3",
            "f-7-c-0-keys": "",
            "f-7-c-0-name": "ngay",
            "f-7-c-0-label": "Ngày",
            "f-7-c-0-type": "date",
            "f-7-c-0-required": "1",
            "f-7-c-1-keys": "",
            "f-7-c-1-name": "hinh_thuc",
            "f-7-c-1-label": "Hình thức",
            "f-7-c-1-type": "choice",
            "f-7-c-1-choices": "loa|Loa truyền thanh\nHọp dân\nTờ rơi",
            "f-7-c-2-keys": "",
            "f-7-c-2-name": "so_nguoi",
            "f-7-c-2-label": "Số người",
            "f-7-c-2-type": "integer",
            "f-7-c-2-min": "0",
        },
    )
    return d


def test_specialist_writes_third_plan_and_it_runs(client, county, people, db):  # noqa: ANN001
    specialist = people(county["ubnd"], Role.SPECIALIST)
    login(client, specialist)
    page = client.get("/editor/new")
    assert page.status_code == 200 and "Soạn kế hoạch mới" in page.get_data(as_text=True)
    data = add_group(third_plan(county))
    preview = client.post("/editor/new", data=dict(data, _op="preview")).get_data(as_text=True)
    assert (
        "Xem trước" in preview and "Số vụ việc phát hiện" in preview and 'name="so_buoi"' in preview
    )  # noqa: E501
    resp = client.post("/editor/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    plan = db.session.scalar(select(Plan).where(Plan.code == CODE))
    d = plan.definition
    assert d["format"] == "kehoach/plan@1" and d["schedule"]["kind"] == "quarterly"
    assert len(plan.periods) == 4 and len(plan.assignments) == 3
    assert d["sections"][0]["items"] == [
        {
            "heading": "Mục đích",
            "text": "Nâng cao nhận thức của Nhân dân.",
            "items": [
                {
                    "text": "Đối với cán bộ",
                    "bullets": [
                        "tập huấn nghiệp vụ",
                        {"text": "lồng ghép sinh hoạt chi bộ", "italic": True},
                    ],
                }
            ],
        },
        {"text": "Bảo đảm thiết thực, hiệu quả."},
    ]
    fields = {f["name"]: f for f in d["form"]["fields"]}
    assert fields["so_vu_viec"]["visible_if"] == {"field": "co_vu_viec", "equals": True}
    assert fields["ty_le_ho_dan"]["target"] == 90
    assert fields["hoat_dong"]["fields"][1]["choices"][1] == {
        "value": "hop_dan",
        "label": "Họp dân",
    }  # noqa: E501
    assert d["assignments"][2]["due_working_days"] == 3 and "listed" not in d["assignments"][0]

    # issue through the existing services and report on the first quarter
    clock.set_now(date(2025, 1, 15))
    doc = documents.create_document("plan", plan.issuer, plan.title, specialist, plan=plan)
    documents.transition(doc, "request_signature", specialist)
    documents.transition(doc, "sign", people(county["ubnd"], Role.SIGNER))
    documents.transition(
        doc, "release", people(county["ubnd"], Role.CLERK), issued_on=date(2025, 1, 15)
    )  # noqa: E501
    assert plan.status == "in_progress"
    period = plan.periods[0]
    reporter = people(county["xa"], Role.REPORTER)
    r = reports.start_report(plan, period, reporter)
    reports.save_draft(
        r,
        {
            "so_buoi": 4,
            "tong_can_bo": 20,
            "da_tap_huan": 15,
            "ty_le_ho_dan": "85",
            "co_vu_viec": True,
            "so_vu_viec": 1,
            "hoat_dong": [{"ngay": "2025-02-01", "hinh_thuc": "loa", "so_nguoi": 50}],
        },  # noqa: E501
        reporter,
        r.version,
    )
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", people(county["xa"], Role.AGENCY_LEADER))
    reports.transition(r, "accept", people(county["ca"], Role.SPECIALIST))
    db.session.commit()
    results = consolidation.compute(period)
    assert results["by_name"]["so_buoi"]["value"] in (4, "4")


def test_errors_are_shown_next_to_the_input_and_nothing_is_lost(client, county, people, db):  # noqa: ANN001, E501
    login(client, people(county["ubnd"], Role.SPECIALIST))
    data = third_plan(county)
    data.update(
        {
            "code": "Mã Sai",
            "a-1-tasks": "",
            "f-1-min": "abc",
            "f-6-vi_field": "khong_co",
            "sch-end": "2020",
            "sg-name": "",
        }
    )
    resp = client.post("/editor/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Chưa lưu được" in html
    assert 'id="code-err"' in html and "chữ thường không dấu" in html
    assert 'id="a-1-tasks-err"' in html and 'id="f-1-min-err"' in html
    assert (
        'id="f-6-vi_field-err"' in html
        and 'id="sch-end-err"' in html
        and 'id="sg-name-err"' in html
    )  # noqa: E501
    assert 'id="f-1-min" name="f-1-min" aria-invalid="true"' in html
    # what was typed is still there
    assert (
        'value="Mã Sai"' in html
        and 'value="abc"' in html
        and "Tuyên truyền tại thôn, ấp." not in html
    )  # noqa: E501
    assert "Tổ chức tuyên truyền tại thôn, ấp." in html and "Nguyễn Văn A" not in html
    assert db.session.scalar(select(Plan.id).where(Plan.code == "Mã Sai")) is None


def test_buttons_add_move_remove_without_js(client, county, people, form_of):  # noqa: ANN001
    login(client, people(county["ubnd"], Role.SPECIALIST))
    data = third_plan(county)
    html = client.post("/editor/new", data=dict(data, _op="field_add")).get_data(as_text=True)
    f = form_of(html)
    assert f["f-count"] == "8" and f["f-0-name"] == "so_buoi" and f["title"] == data["title"]
    html = client.post("/editor/new", data=dict(f, _op="field_up:1")).get_data(as_text=True)
    f = form_of(html)
    assert f["f-0-name"] == "tong_can_bo" and f["f-1-name"] == "so_buoi"
    f = form_of(client.post("/editor/new", data=dict(f, _op="field_del:0")).get_data(as_text=True))
    assert f["f-count"] == "7" and f["f-0-name"] == "so_buoi"
    f = form_of(client.post("/editor/new", data=dict(f, _op="section_add")).get_data(as_text=True))
    assert f["s-count"] == "4"
    f = form_of(
        client.post("/editor/new", data=dict(f, _op="assignment_del:2")).get_data(as_text=True)
    )  # noqa: E501
    assert f["a-count"] == "2"


def test_reporter_cannot_open_the_editor(client, plan, people):  # noqa: ANN001
    reporter = people(plan.reporting_assignments[0].agency, Role.REPORTER)
    login(client, reporter)
    assert client.get("/editor/new").status_code == 403
    assert client.get(f"/editor/{plan.id}").status_code in (403, 404)
    assert client.post(f"/editor/{plan.id}", data={"_op": "save"}).status_code in (403, 404)


def test_form_edit_after_reports_is_a_new_version(client, plan, people, db, form_of):  # noqa: ANN001, E501
    from tests.services.test_plan_lifecycle import issue

    clock.set_now(date(2024, 11, 5))
    issue(plan, people, date(2024, 11, 5))
    agency = plan.reporting_assignments[0].agency
    reporter = people(agency, Role.REPORTER)
    r = reports.start_report(plan, plan.periods[0], reporter)
    reports.save_draft(r, {"banners": 12, "slogans_used": False}, reporter, r.version)
    reports.transition(r, "submit_for_approval", reporter)
    reports.transition(r, "approve", people(agency, Role.AGENCY_LEADER))
    db.session.commit()
    specialist = people(plan.standing_agency, Role.SPECIALIST)
    login(client, specialist)
    html = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    assert "chỉ <strong>biểu mẫu báo cáo</strong> còn sửa được" in html and "phiên bản mới" in html
    assert 'name="title"' not in html
    data = form_of(html)
    n = int(data["f-count"])
    data.update(
        {
            "f-count": str(n + 1),
            f"f-{n}-keys": "",
            f"f-{n}-name": "so_xa",
            f"f-{n}-label": "Số xã đã tổ chức",
            f"f-{n}-type": "integer",
            "_op": "save",
            "title": "Tiêu đề bị đổi lén",
        }
    )
    resp = client.post(f"/editor/{plan.id}", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert [v.version for v in plan.form_versions] == [1, 2]
    assert plan.definition["form"]["fields"][-1]["name"] == "so_xa"
    assert plan.title != "Tiêu đề bị đổi lén"
    assert db.session.get(Report, r.id).form_version.version == 1
    login(client, specialist)
    shown = client.get(f"/reports/{r.id}").get_data(as_text=True)
    assert "Số băng rôn, áp phích, biểu ngữ đã treo" in shown and "12" in shown


def test_concurrent_edit_keeps_typed_text(client, plan, people, db, form_of):  # noqa: ANN001
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    data = form_of(client.get(f"/editor/{plan.id}").get_data(as_text=True))
    data.update({"version": "0", "preamble": "Lời mở đầu mới của tôi", "_op": "save"})
    resp = client.post(f"/editor/{plan.id}", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "người khác sửa" in html and "Lời mở đầu mới của tôi" in html
