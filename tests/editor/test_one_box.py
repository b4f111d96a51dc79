"""One text box per section: a stored section's plain paragraphs open as the last lines of its
text; saved unchanged the plan is as it was, edited the box is the section's text, and the plan
prints the same either way. A section whose paragraphs would renumber what follows keeps its
second box. The live "Xem như sẽ in" renders what it is sent, escaped."""

from __future__ import annotations

import io

from docx import Document as Docx

from app.models import Role
from app.services import documents, loader, plans
from tests.editor.test_assignment_placement import PLAN, _specialist
from tests.services.test_assignments import TEMPLATES
from tests.web.conftest import login
from worker import context as worker_context
from worker.render import render_docx


def _printed(plan, people) -> list[str]:  # noqa: ANN001
    doc = plans.plan_document(plan) or documents.create_document(
        "plan", plan.issuer, plan.title, people(plan.standing_agency, Role.SPECIALIST), plan=plan
    )
    data = render_docx(TEMPLATES / "plan.docx", worker_context.build(doc))
    return [p.text for p in Docx(io.BytesIO(data)).paragraphs]


def test_paragraphs_open_in_the_one_box_and_print_the_same(client, people, db, form_of):  # noqa: ANN001
    plan = loader.load(loader.parse_file(PLAN))
    db.session.commit()
    printed = _printed(plan, people)
    login(client, _specialist(db, people))
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    data = form_of(page)
    # section I had only paragraphs; section IV too: each is the text of its one box
    assert data["s-0-body"] == "Nâng cao nhận thức về quyền con người."
    assert data["s-3-body"] == "Các cơ quan treo băng rôn, khẩu hiệu như sau:"
    assert "s-0-paragraphs" not in data and "Đoạn văn in sau nội dung của mục" not in page
    # the clerk adds a second paragraph to section I: saved as its text
    data["s-0-body"] += "\nTuyên truyền sâu rộng đến **mọi người dân**."
    data["_op"] = "save"
    assert client.post(f"/editor/{plan.id}", data=data).status_code == 302
    db.session.expire_all()
    first = plan.definition["sections"][0]
    assert "paragraphs" not in first
    assert first["body"] == (
        "Nâng cao nhận thức về quyền con người.\nTuyên truyền sâu rộng đến **mọi người dân**."
    )
    assert plan.definition["sections"][3]["paragraphs"] == [  # untouched: kept as it was
        "Các cơ quan treo băng rôn, khẩu hiệu như sau:"
    ]
    now = _printed(plan, people)
    at = now.index("Nâng cao nhận thức về quyền con người.")
    assert now[at + 1] == "Tuyên truyền sâu rộng đến mọi người dân."
    assert [p for p in now if p != now[at + 1]] == printed


def test_paragraphs_that_would_renumber_keep_their_box(client, people, db, form_of):  # noqa: ANN001
    text = PLAN.read_text(encoding="utf-8").replace(
        '    paragraphs: ["Nâng cao nhận thức về quyền con người."]',
        '    body: "1. Nâng cao nhận thức."\n    paragraphs: ["2. Một ý đánh số riêng."]',
        1,
    )
    plan = loader.load(loader.parse_text(text))
    db.session.commit()
    before = plan.definition["sections"][0]
    login(client, _specialist(db, people))
    page = client.get(f"/editor/{plan.id}").get_data(as_text=True)
    data = form_of(page)
    assert data["s-0-body"] == "1. Nâng cao nhận thức."
    assert data["s-0-paragraphs"] == "2. Một ý đánh số riêng."
    assert "Đoạn văn in sau nội dung của mục" in page
    data["_op"] = "save"
    assert client.post(f"/editor/{plan.id}", data=data).status_code == 302
    db.session.expire_all()
    assert plan.definition["sections"][0] == before


def test_the_live_preview_renders_what_it_is_sent_escaped(client, people, db):  # noqa: ANN001
    plan = loader.load(loader.parse_file(PLAN))
    db.session.commit()
    version = plan.version
    login(client, _specialist(db, people))
    html = client.post(
        "/editor/text", data={"text": "1. **Đậm** <script>alert(1)</script>\n+ ý con"}
    ).get_data(as_text=True)
    assert "<strong>Đậm</strong>" in html and "&lt;script&gt;" in html and "<script" not in html
    assert '<p class="rt rt-l2">+ ý con</p>' in html
    tasks = client.post(
        "/editor/text",
        data={"kind": "tasks", "text": "- Chủ trì.\n- Báo cáo.", "due_text": "trước ngày 25/12"},
    ).get_data(as_text=True)
    assert "- Chủ trì." in tasks and "Thời hạn hoàn thành: trước ngày 25/12." in tasks
    db.session.expire_all()
    assert plan.version == version  # nothing read into or written to the plan
    client.post("/auth/logout")
    assert client.post("/editor/text", data={"text": "x"}).status_code in (302, 401)
