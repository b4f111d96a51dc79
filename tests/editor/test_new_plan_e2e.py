"""Issue 12 "Done when": a NEW plan of the family entered through the in-browser editor as a
clerk would — body text with "+" sub-items and numbered "(1)…" items, one agency assigned in two
sections, a group of agencies (made on the admin page), an issued number and a date in the past,
recipients with a note line — previewed as page images, recorded as issued, carried through one
reporting round (a member of the group and the agency of two sections report, the specialist
accepts, consolidates and drafts the consolidated report) in a real headless Chromium on
PostgreSQL with the real RQ worker and LibreOffice; then the generated plan .docx and the
consolidated .docx keep every line as typed."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlalchemy import select

from app.models import Agency, AuditEvent, Plan, Role
from app.services import clock, loader
from tests.browser import SHOTS, chromium, console_errors, sign_in, wait_until
from tests.workers import run_queue, run_queue_until

CODE = "huyen-cang-long-2025-mua-ban-nguoi-e2e"
GROUP = "Ủy ban nhân dân các xã, thị trấn"
# what the clerk types, line for line
LEGAL = (
    "Căn cứ Luật Phòng, chống mua bán người năm 2024;\n"
    "Thực hiện Kế hoạch số 12/KH-UBND ngày 10/01/2025 của UBND tỉnh."
)
PREAMBLE = "Ủy ban nhân dân huyện Càng Long xây dựng Kế hoạch như sau:"
BODY_I = (
    "1. Mục đích\n"
    "Nâng cao nhận thức của cán bộ và Nhân dân về phòng, chống mua bán người.\n"
    "2. Yêu cầu\n"
    "- Tuyên truyền thiết thực, hiệu quả, **đúng đối tượng**;\n"
    "+ lồng ghép trong sinh hoạt của thôn, ấp;\n"
    "+ phù hợp với từng nhóm đối tượng."
)
BODY_II = (
    "Tuyên truyền bằng khẩu hiệu:\n"
    "(1) Chung tay phòng, chống mua bán người!\n"
    "(2) Hãy cảnh giác với thủ đoạn của tội phạm mua bán người!"
)
BODY_IV = "Các cơ quan, đơn vị treo băng rôn, khẩu hiệu như sau:"
TASKS_CA = "- Chủ trì, theo dõi, tổng hợp kết quả thực hiện Kế hoạch."
TASKS_VH = (
    "- Tuyên truyền trên hệ thống loa truyền thanh:\n"
    "+ phát thanh 02 lần mỗi ngày;\n"
    "+ đăng tin trên trang thông tin điện tử huyện.\n"
    "- Hướng dẫn treo khẩu hiệu theo thứ tự:\n"
    "(1) tại trụ sở cơ quan;\n"
    "(2) tại các tuyến đường chính."
)
TASKS_GROUP = "- Tổ chức tuyên truyền tại thôn, ấp.\n- Báo cáo kết quả về Công an huyện."
TASKS_VH_IV = "- Treo 05 băng rôn tại trụ sở và trung tâm huyện./."  # the plan's last line
ASSESSMENT = "Các cơ quan, đơn vị triển khai Kế hoạch nghiêm túc, đúng tiến độ."
RECIPIENTS = (
    "UBND tỉnh (b/c)\n"
    "Công an tỉnh (b/c)\n"
    "Các cơ quan, đơn vị có tên tại mục III, IV\n"
    "(để thực hiện)\n"
    "+ UBND các xã, thị trấn"
)


@pytest.fixture
def district(make_agency, people, db):  # noqa: ANN001, ANN201
    def agency(code: str, name: str, abbr: str, level: str = "other"):  # noqa: ANN202
        return make_agency(code, name=name, abbreviation=abbr, level=level, place="Càng Long")

    out = {
        "ubnd": agency("UBND-CL", "Ủy ban nhân dân huyện Càng Long", "UBND"),
        "ca": agency("CA-CL", "Công an huyện Càng Long", "CA"),
        "vh": agency("PVHTT-CL", "Phòng Văn hóa và Thông tin huyện Càng Long", "VHTT"),
        "at": agency("UBND-XA-AT", "Ủy ban nhân dân xã An Trường", "UBND", "commune"),
        "ta": agency("UBND-XA-TA", "Ủy ban nhân dân xã Tân An", "UBND", "commune"),
    }
    out["ubnd"].header_parent = ""
    users = {
        "admin": people(out["ubnd"], Role.ADMIN),
        "clerk": people(out["ubnd"], Role.CLERK),
        "specialist": people(out["ca"], Role.SPECIALIST),
        "at": (people(out["at"], Role.REPORTER), people(out["at"], Role.AGENCY_LEADER)),
        "vh": (people(out["vh"], Role.REPORTER), people(out["vh"], Role.AGENCY_LEADER)),
    }
    db.session.commit()
    names = {
        k: (tuple(u.username for u in v) if isinstance(v, tuple) else v.username)
        for k, v in users.items()
    }
    db.session.remove()
    return names


def _paragraphs(data: bytes) -> list[str]:
    """Every non-empty paragraph of a .docx (tables included), in order, spaces collapsed."""
    from docx.text.paragraph import Paragraph

    d = docx.Document(io.BytesIO(data))
    out = []
    for el in d.element.body.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
    ):
        text = " ".join(Paragraph(el, d).text.split())
        if text:
            out.append(text)
    return out


def _lines(text: str) -> list[str]:
    """The lines a clerk typed as they must print: markup gone."""
    return [" ".join(line.replace("**", "").split()) for line in text.splitlines()]


def _in_order(needles: list[str], hay: list[str]) -> None:
    """Each typed line is one paragraph of the document, in the order typed."""
    at = 0
    for line in needles:
        found = [i for i in range(at, len(hay)) if hay[i] == line]
        assert found, f"{line!r} not printed as a paragraph after {hay[at - 1 : at]!r}:\n" + (
            "\n".join(hay)
        )
        at = found[0] + 1


def _enter_plan(page, base: str) -> None:  # noqa: ANN001, PLR0915
    """The specialist types the plan as a clerk would, with the page's own buttons."""
    from playwright.sync_api import expect

    def click(name: str) -> None:
        page.get_by_role("button", name=name, exact=True).click()

    page.goto(base + "/editor/new")
    # one box per section for its text: the old auto-numbered "Các ý" only for plans that have it
    assert page.locator("#s-0-items").count() == 0
    page.fill("#title", "Tuyên truyền phòng, chống mua bán người năm 2025")
    page.select_option("#issuer", "UBND-CL")
    page.select_option("#standing_agency", "CA-CL")
    page.fill("#code", CODE)
    page.fill("#draft_month", "3")
    page.fill("#draft_year", "2025")
    page.fill("#legal_basis", LEGAL)
    page.fill("#preamble", PREAMBLE)
    page.fill("#s-0-body", BODY_I)
    page.fill("#s-1-body", BODY_II)
    page.fill("#s-2-closing", "Yêu cầu các cơ quan, đơn vị triển khai thực hiện./.")
    click("+ Thêm mục")
    expect(page.locator("#s-3-heading")).to_be_visible()
    page.fill("#s-3-heading", "PHÂN CÔNG TREO BĂNG RÔN")
    page.fill("#s-3-body", BODY_IV)
    lines = [
        ("agency", "CA-CL", "lead", "", TASKS_CA),
        ("agency", "PVHTT-CL", "cooperate", "", TASKS_VH),
        ("group", "UBND-XA-CL", "cooperate", "", TASKS_GROUP),
        ("agency", "PVHTT-CL", "cooperate", "4", TASKS_VH_IV),
    ]
    for i, (kind, code, role, section, tasks) in enumerate(lines):
        click("+ Thêm cơ quan")
        expect(page.locator(f"#a-{i}-tasks")).to_be_visible()
        page.select_option(f"#a-{i}-{kind}", code)
        page.select_option(f"#a-{i}-role", role)
        page.fill(f"#a-{i}-tasks", tasks)
        if section:
            page.select_option(f"#a-{i}-section", section)
    page.fill("#a-0-label", "Công an huyện")
    page.fill("#a-2-due_text", "trước ngày 10/12")
    page.fill("#sch-due", "15/12/2025")
    page.fill("#sch-report_to", "Công an huyện")
    click("+ Thêm trường")
    expect(page.locator("#f-0-label")).to_be_visible()
    page.fill("#f-0-label", "Số buổi tuyên truyền")
    page.fill("#f-0-name", "so_buoi")
    page.select_option("#f-0-consolidate", "sum")
    page.fill("#recipients", RECIPIENTS)
    page.fill("#archive", "VT, NC")
    page.fill("#sg-title", "CHỦ TỊCH")
    page.fill("#sg-name", "Nguyễn Văn A")


@pytest.mark.browser
@pytest.mark.libreoffice
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_new_plan_through_the_editor_and_one_round(app, db, district, queued):  # noqa: ANN001, F811, PLR0915
    from playwright.sync_api import expect

    from worker.context import agency_dict, group_names
    from worker.contexts import plan_context
    from worker.render import render_docx

    clock.set_now(date(2025, 12, 1))
    with chromium(app) as (browser, base):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        errors = console_errors(page)

        def press(label: str) -> None:
            page.get_by_role("button", name=label, exact=True).first.click()
            page.wait_for_load_state()

        # the administrator makes the group on the admin page
        sign_in(page, base, district["admin"])
        page.goto(base + "/quan-tri/nhom-co-quan")
        page.get_by_role("link", name="+ Thêm nhóm").click()
        page.fill("#code", "UBND-XA-CL")
        page.fill("#name", GROUP)
        page.get_by_label("Ủy ban nhân dân xã An Trường (UBND-XA-AT)").check()
        page.get_by_label("Ủy ban nhân dân xã Tân An (UBND-XA-TA)").check()
        press("Lưu")
        expect(page.get_by_text(GROUP).first).to_be_visible()

        # the specialist enters the plan and previews it as it will print
        sign_in(page, base, district["specialist"])
        _enter_plan(page, base)
        press("Xem trước văn bản")
        assert page.locator("#loi").count() == 0, page.locator("#loi").inner_text()
        img = page.locator("#van-ban-trang img").first
        run_queue_until(queued, img.is_visible)  # the page may ask again for a later change
        expect(img).to_be_visible()
        width = "document.querySelector('#van-ban-trang img').naturalWidth"
        wait_until(page, width + " > 500")  # the A4 page image, loaded
        assert page.evaluate(width) > 500
        img.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "e2e-01-preview.png"))
        expect(page.locator("#a-3-tasks")).to_have_value(TASKS_VH_IV)  # nothing lost
        press("Tạo kế hoạch (dự thảo)")
        expect(page.get_by_text("Đã tạo kế hoạch")).to_be_visible()
        with app.app_context():
            plan = db.session.scalar(select(Plan).where(Plan.code == CODE))
            plan_id = plan.id
            db.session.remove()
        # the editor of the saved plan: the group line and the line of section IV
        page.goto(f"{base}/editor/{plan_id}")
        expect(page.locator("#a-2-group")).to_have_value("UBND-XA-CL")
        expect(page.locator("#a-3-section")).to_have_value("4")
        expect(page.locator("#a-1-tasks")).to_have_value(TASKS_VH)
        # each line says whom it names and where it prints, folded or not
        expect(page.locator("#a-2 > legend")).to_contain_text(GROUP)
        expect(page.locator("#a-3 > legend")).to_contain_text("in ở mục IV")
        for width, height, shot in ((1366, 900, "desktop"), (390, 844, "phone")):
            page.set_viewport_size({"width": width, "height": height})
            page.locator("#a-2").evaluate("e => e.scrollIntoView()")  # as a link jumps
            page.screenshot(path=str(SHOTS / f"e2e-02-editor-group-{shot}.png"))
        page.set_viewport_size({"width": 1366, "height": 900})

        # the issuer's clerk records it as issued on paper in March
        sign_in(page, base, district["clerk"])
        page.goto(f"{base}/plans/{plan_id}")
        page.locator("#da-ban-hanh summary").click()
        page.fill("#number", "45")
        page.fill("#issued_on", "10/03/2025")
        press("Ghi đã ban hành")
        expect(page.locator(".flash")).to_contain_text("45/KH-UBND")
        expect(page.locator(".meta")).to_contain_text("45/KH-UBND")
        # the tasks as typed, their own markers shown once (no list bullet before "- …")
        task = page.locator("ul.tasks li", has_text="Chủ trì, theo dõi").first
        assert task.evaluate("e => getComputedStyle(e).listStyleType") == "none"
        page.screenshot(path=str(SHOTS / "e2e-03-recorded.png"))

        # a member of the group and the agency of two sections report
        for who in ("at", "vh"):
            reporter, leader = district[who]
            sign_in(page, base, reporter)
            page.goto(base + "/inbox")
            press("Bắt đầu báo cáo")
            page.fill("#so_buoi", "4" if who == "at" else "6")
            press("Trình lãnh đạo")
            expect(page.get_by_text("Đã trình lãnh đạo")).to_be_visible()
            sign_in(page, base, leader)
            page.goto(base + "/approvals")
            page.get_by_role("link", name="Mở báo cáo").first.click()
            press("Duyệt và gửi")
        sign_in(page, base, district["specialist"])
        for _ in range(2):
            page.goto(base + "/review")
            page.get_by_role("link", name="Mở báo cáo").first.click()
            press("Chấp nhận")
        clock.set_now(date(2025, 12, 16))
        page.goto(f"{base}/plans/{plan_id}")
        press("Khóa sổ kỳ báo cáo")
        expect(page.locator(".flash")).to_contain_text("Đã khóa sổ")
        with app.app_context():
            period_id = db.session.get(Plan, plan_id).periods[0].id
            db.session.remove()
        page.goto(f"{base}/periods/{period_id}/consolidation")
        row = page.locator("tr", has_text="Số buổi tuyên truyền").first
        expect(row).to_contain_text("10")  # 4 + 6 buổi
        # addressed to the issuer (the agencies report to the standing agency itself); the
        # standing agency writes its own assessment
        expect(page.locator("#addressees")).to_have_value("Ủy ban nhân dân huyện Càng Long")
        page.fill("#assessment", ASSESSMENT)
        press("Lưu nội dung báo cáo tổng hợp")
        press("Tạo báo cáo tổng hợp")
        expect(page.locator("h1")).to_contain_text("Báo cáo tổng hợp")
        run_queue(queued)  # the worker renders it
        page.reload()
        with page.expect_download() as got:
            page.get_by_role("link", name="Tải bản Word (.docx)").click()
        consolidated_docx = open(got.value.path(), "rb").read()  # noqa: SIM115
        consolidated = _paragraphs(consolidated_docx)
        exported = page.request.get(f"{base}/plans/{plan_id}/export").text()
        assert not errors, errors

    # the plan as issued: number and date kept, the recording audited
    plan = db.session.scalar(select(Plan).where(Plan.code == CODE))
    assert (plan.symbol, plan.issued_on) == ("45/KH-UBND", date(2025, 3, 10))
    assert db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == "record_issued", AuditEvent.plan_id == plan.id
        )
    )
    members = sorted(a.agency.code for a in plan.assignments if a.group_id)
    assert members == ["UBND-XA-AT", "UBND-XA-TA"]  # each member its own line and report

    # the plan document the worker renders from the exported definition
    d = loader.parse_text(exported, source="export.yaml")
    assert (d["number"], d["issued_on"]) == (45, date(2025, 3, 10))
    d["group_names"] = group_names(d)
    agencies = {a.code: agency_dict(a) for a in db.session.scalars(select(Agency))}
    from tests.test_example_plans import TEMPLATE

    plan_docx = render_docx(TEMPLATE, plan_context(d, agencies, 45, date(2025, 3, 10)))
    for name, data in (("plan", plan_docx), ("consolidated", consolidated_docx)):
        (SHOTS.parent / f"e2e-{name}.docx").write_bytes(data)  # to look at (test-artifacts)
    text = _paragraphs(plan_docx)
    assert "Số: 45/KH-UBND" in text and "Càng Long, ngày 10 tháng 3 năm 2025" in text, text
    # every line as typed, in order: căn cứ, opening, sections I and II with their "+" sub-items
    # and "(1)" items, section III's agencies (the group's name once, as one line), section
    # IV's own text then the line of the agency assigned there too, the recipients' note line
    _in_order(
        _lines(LEGAL)
        + [PREAMBLE, "I. MỤC ĐÍCH, YÊU CẦU", *_lines(BODY_I), "II. NỘI DUNG", *_lines(BODY_II)]
        + ["III. TỔ CHỨC THỰC HIỆN", "1. Công an huyện", *_lines(TASKS_CA)]
        + ["2. Phòng Văn hóa và Thông tin huyện Càng Long", *_lines(TASKS_VH)]
        + [f"3. {GROUP}", *_lines(TASKS_GROUP)]
        + ["IV. PHÂN CÔNG TREO BĂNG RÔN", BODY_IV]
        + ["1. Phòng Văn hóa và Thông tin huyện Càng Long", *_lines(TASKS_VH_IV)]
        + ["Nơi nhận:", "- UBND tỉnh (b/c);", "- Công an tỉnh (b/c);"]
        + ["- Các cơ quan, đơn vị có tên tại mục III, IV;", "(để thực hiện)"]
        + ["+ UBND các xã, thị trấn;", "- Lưu: VT, NC.", "CHỦ TỊCH", "Nguyễn Văn A"],
        text,
    )
    assert sum(GROUP in p for p in text) == 1, "the group is one line of the plan"
    assert not [p for p in text if p.startswith(("- +", "- (", "- -", "- 1", "+ -"))], text
    assert not [p for p in text if "Xã An Trường" in p or "xã Tân An" in p], "members not listed"
    assert "**" not in "\n".join(text)

    # the consolidated report: the plan's recipients with their note line, the figures
    cjoined = "\n".join(consolidated)
    assert "45/KH-UBND" in cjoined and "10" in cjoined
    assert "Kính gửi: Ủy ban nhân dân huyện Càng Long." in consolidated, consolidated
    assert ASSESSMENT[:-1] + "./." in consolidated  # its last paragraph: the end mark added
    crec = consolidated[consolidated.index("Nơi nhận:") :]
    assert "(để thực hiện)" in crec, crec
    assert "Ủy ban nhân dân xã An Trường" in cjoined or "UBND xã An Trường" in cjoined


# ---------------------------------------------------------------- the plan page's recording form


def _record(client, plan, number: str, on: str):  # noqa: ANN001, ANN202
    return client.post(f"/plans/{plan.id}/record-issued", data={"number": number, "issued_on": on})


def test_the_clerk_records_a_plan_issued_on_paper(client, plan, people, db):  # noqa: ANN001
    from tests.web.conftest import login

    clock.set_now(date(2025, 1, 10))
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    assert "Ghi đã ban hành" not in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert _record(client, plan, "45", "05/11/2024").status_code == 403  # the issuer's clerk only
    login(client, people(plan.issuer, Role.CLERK))
    assert "Ghi số, ngày của kế hoạch đã ban hành" in client.get(f"/plans/{plan.id}").get_data(
        as_text=True
    )
    # refused, each with its reason at the input, what was typed shown again
    for number, on, reason in (
        ("", "05/11/2024", "Chưa nhập “Số văn bản”."),
        ("4a", "05/11/2024", "“Số văn bản” phải là số nguyên từ 1 đến 99999."),
        ("45", "31/02/2024", "“Ngày ban hành” không phải là ngày hợp lệ"),
        ("45", "05/01/2025", "trước ngày ban hành 05/01/2025"),  # its due date 01/01/2025
    ):
        resp = _record(client, plan, number, on)
        page = resp.get_data(as_text=True)
        assert resp.status_code == 422, (number, on)
        assert reason in page, (number, on, reason)
        assert f'value="{number}"' in page and f'value="{on}"' in page
    db.session.expire_all()
    assert plan.status == "draft" and plan.symbol is None
    resp = _record(client, plan, "45", "05/11/2024")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert (plan.symbol, plan.issued_on) == ("45/KH-BCĐNQ", date(2024, 11, 5))
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "record_issued", AuditEvent.plan_id == plan.id
        )
    )
    assert event is not None and "ghi trên trang kế hoạch" in event.comment
    # recorded once: the form is gone and a second post is refused
    assert "Ghi đã ban hành" not in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert _record(client, plan, "46", "05/11/2024").status_code == 409
    # the exported file carries number and date as YAML dates: it loads again
    d = loader.parse_text(client.get(f"/plans/{plan.id}/export").get_data(as_text=True))
    assert (d["number"], d["issued_on"]) == (45, date(2024, 11, 5))


def test_a_number_already_in_the_register_is_refused_with_the_entry(client, plan, people, db):  # noqa: ANN001
    from app.services import register
    from tests.web.conftest import login

    register.record_issued(plan.issuer, "KH", "Kế hoạch khác", date(2024, 10, 1), 45)
    db.session.commit()
    login(client, people(plan.issuer, Role.CLERK))
    resp = _record(client, plan, "45", "05/11/2024")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "45/KH-BCĐNQ ngày 01/10/2024" in page, page[:3000]
    assert 'id="number-err"' in page


def test_the_items_box_is_shown_only_where_a_section_has_items(client, people, db):  # noqa: ANN001
    from tests.editor.test_assignment_placement import PLAN
    from tests.web.conftest import login

    plan = loader.load(loader.parse_file(PLAN))  # section II written as "items"
    db.session.commit()
    login(client, people(plan.standing_agency, Role.SPECIALIST))
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    assert 'id="s-1-items"' in page and 'id="items-help"' in page
    assert 'id="s-0-items"' not in page and 'id="s-0-body"' in page
    new = client.get("/editor/new").get_data(as_text=True)
    assert 'id="s-0-body"' in new and "-items" not in new and 'id="items-help"' not in new
