"""The editor edits a plan's body text as a clerk types it (issue 12, point 1): a section's text
and an agency's tasks with "+" sub-items, numbered "(1)" items, a second paragraph and inline
emphasis, recipients with a note line; the editor shows them as typed, saving unchanged keeps
them, and the plan document prints every line as typed."""

from __future__ import annotations

import html

from sqlalchemy import select

from app.models import Agency, Plan, Role
from tests.editor.test_new_plan import CODE, add_group, county, third_plan  # noqa: F401
from tests.web.conftest import login
from worker.context import agency_dict
from worker.contexts import plan_context

BODY = """**1. Mục đích**
Nâng cao nhận thức của Nhân dân về *phòng, chống mua bán người*.
2. Yêu cầu
a) Bảo đảm thiết thực, hiệu quả;
b) Báo cáo đúng hạn **trước ngày 25/12/2025**."""

TASKS = """- Treo băng rôn, khẩu hiệu:
+ tại trụ sở cơ quan;
+ tại các tuyến đường chính.
Thời gian treo: từ ngày 01/6 đến hết ngày 30/6.
- Phát thanh các khẩu hiệu:
(1) “Nói không với mua bán người”;
(2) “Cảnh giác trước lời mời việc nhẹ lương cao”."""

RECIPIENTS = "UBND tỉnh (b/c)\nCác xã, thị trấn\n(để thực hiện)"


def test_body_and_tasks_are_edited_and_printed_as_typed(client, county, people, db, form_of):  # noqa: ANN001, F811
    login(client, people(county["ubnd"], Role.SPECIALIST))
    data = add_group(third_plan(county))
    data.update(
        {
            "s-0-items": "",
            "s-0-body": BODY.replace("\n", "\r\n"),  # as a browser sends it
            "a-1-tasks": TASKS.replace("\n", "\r\n"),
            "recipients": RECIPIENTS,
        }
    )
    resp = client.post("/editor/new", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    plan = db.session.scalar(select(Plan).where(Plan.code == CODE))
    d = plan.definition
    assert d["sections"][0]["body"] == BODY and "items" not in d["sections"][0]
    assert d["assignments"][1]["tasks"] == [
        "- Treo băng rôn, khẩu hiệu:\n+ tại trụ sở cơ quan;\n+ tại các tuyến đường chính.\n"
        "Thời gian treo: từ ngày 01/6 đến hết ngày 30/6.",
        "- Phát thanh các khẩu hiệu:\n(1) “Nói không với mua bán người”;\n"
        "(2) “Cảnh giác trước lời mời việc nhẹ lương cao”.",
    ]
    assert plan.assignments[1].tasks == d["assignments"][1]["tasks"]

    # the editor shows the text as typed; saving it unchanged keeps the definition
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    assert html.escape(BODY, quote=False) in page.replace("&#34;", '"').replace("&#39;", "'")
    assert html.escape(TASKS, quote=False) in page
    # with a preview of the text as it will print (one parser: app.services.richtext)
    assert '<p class="rt rt-l1"><strong>1. Mục đích</strong></p>' in page
    assert '<p class="rt rt-l2">+ tại trụ sở cơ quan;</p>' in page
    fields = form_of(page)
    assert fields["s-0-body"] == BODY and fields["a-1-tasks"] == TASKS
    before = plan.definition
    resp = client.post(f"/editor/{plan.id}", data=dict(fields, _op="save"))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert plan.definition == before

    # the plan document: every line as typed, no dash added, emphasis as runs
    agencies = {a.code: agency_dict(a) for a in db.session.scalars(select(Agency))}
    ctx = plan_context(plan.definition, agencies, None, None)
    printed = [b["text"] for b in ctx["blocks"]]
    i = printed.index("1. Mục đích")
    assert printed[i : i + 5] == [
        "1. Mục đích",
        "Nâng cao nhận thức của Nhân dân về phòng, chống mua bán người.",
        "2. Yêu cầu",
        "a) Bảo đảm thiết thực, hiệu quả;",
        "b) Báo cáo đúng hạn trước ngày 25/12/2025.",
    ]
    assert ctx["blocks"][i]["kind"] == "heading3"  # a bold line keeps with the next
    runs = ctx["blocks"][i + 4]["runs"]
    assert [(r["t"], r["b"]) for r in runs] == [
        ("b) Báo cáo đúng hạn ", "0"),
        ("trước ngày 25/12/2025", "1"),
        (".", "0"),
    ]
    j = printed.index("- Treo băng rôn, khẩu hiệu:")
    assert printed[j : j + 7] == TASKS.split("\n")
    assert ctx["recipients"][:3] == ["- UBND tỉnh (b/c);", "- Các xã, thị trấn;", "(để thực hiện)"]


def test_too_deep_a_text_is_refused_next_to_its_input_and_kept(client, county, people, db):  # noqa: ANN001, F811
    login(client, people(county["ubnd"], Role.SPECIALIST))
    deep = "\n".join(f"{m} ý" for m in ["-", "+", "•", "(1)", "(a)", "1.1.", "1.", "1)", "a)"])
    data = dict(add_group(third_plan(county)), **{"a-1-tasks": deep, "s-1-body": deep})
    resp = client.post("/editor/new", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'id="a-1-tasks-err"' in page and 'id="s-1-body-err"' in page
    assert "lồng quá 8 cấp" in page
    assert html.escape(deep, quote=False) in page  # nothing typed is lost
    assert db.session.scalar(select(Plan).where(Plan.code == CODE)) is None
