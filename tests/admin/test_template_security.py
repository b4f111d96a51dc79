"""Hostile agency templates (issue 10, findings 1 and 3): a template cannot run code, a zip bomb
or a broken package is refused at once, and the worker's check runs with a time and a memory
limit and always ends accepted or refused with a Vietnamese message. Peak RSS is measured."""

from __future__ import annotations

import io
import re
import resource
import time
import zipfile

import pytest
from sqlalchemy import select

from app.models import AgencyTemplate
from tests.admin.test_agencies_calendar_templates import ROOT, docx_with, upload
from tests.workers import run_rq_burst
from worker.render import (
    TemplateRejected,
    check_template,
    check_template_isolated,
    render_docx,
    sample_context,
)

PAYLOAD = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
POPEN = (
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
    "{% if 'Popen' in c.__name__ %}{{ c('id', shell=True, stdout=-1).communicate() }}"
    "{% endif %}{% endfor %}"
)
MB = 1024 * 1024


def bomb(expanded: int = 120 * MB) -> bytes:
    """A .docx whose document part unpacks to ``expanded`` bytes (mostly one repeated byte)."""
    src = (ROOT / "templates" / "report.docx").read_bytes()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zout,
    ):
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename != "word/document.xml":
                zout.writestr(item, data)
                continue
            # written in pieces, so this test process never holds the 120 MB itself
            at = data.rindex(b"<w:sectPr")
            with zout.open(item.filename, "w", force_zip64=True) as f:
                f.write(data[:at])
                pad = b" " * MB
                for _ in range((expanded - len(data)) // MB):
                    f.write(pad)
                f.write(data[at:])
    return out.getvalue()


def broken_content_types() -> bytes:
    src = docx_with("report", "x")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = b"<Types><Default Extension='xml' ContentType='text/plain'/>"
            zout.writestr(item, data)
    return out.getvalue()


def run_worker_measured(app, queue) -> int:  # noqa: ANN001
    """A real RQ worker in its own process until the queue is empty; returns the peak RSS (bytes)
    of that worker and every process it forked (work-horse, check child)."""
    out = run_rq_burst(
        app,
        queue.name,
        # Linux keeps the peak of the forking test process across exec: reset it first
        before="import resource, re; open('/proc/self/clear_refs', 'w').write('5'); ",
        after=(
            "own = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read())[1]); "
            "print('PEAK', max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))"
        ),
        timeout=180,
    )
    peak_kb = int(out.rsplit("PEAK", 1)[1].split()[0])
    return peak_kb * 1024


def test_the_sandbox_refuses_the_subclasses_payload_at_render_and_at_upload(
    app, client, as_admin, home, db, queued
):
    for payload in (PAYLOAD, POPEN):
        data = docx_with("report", payload)
        with pytest.raises(TemplateRejected, match="không được phép"):
            check_template(data, "report")
        # even rendered directly (as a document job would), nothing executes
        try:
            out = render_docx(data, sample_context("report"))
        except Exception as exc:  # noqa: BLE001
            assert type(exc).__name__ in {"SecurityError", "UndefinedError"}
        else:
            xml = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode()
            assert "uid=" not in xml and "subprocess" not in xml

    assert upload(client, home, "report", docx_with("report", POPEN)).status_code == 302
    run_worker_measured(app, queued)
    db.session.expire_all()
    t = db.session.scalar(select(AgencyTemplate))
    assert t.status == "refused"
    assert "không được phép" in t.problems[0]


def test_a_120_mb_expanding_template_is_refused_at_upload_quickly(
    client, as_admin, home, db, queued
):
    data = bomb()
    assert len(data) < 2 * MB
    started = time.process_time()  # CPU time: what expanding it would burn, whatever the load
    resp = upload(client, home, "report", data)
    elapsed = time.process_time() - started
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert re.search(
        r"“Tệp mẫu” khi giải nén lớn bất thường \(1[12]\d\.\d MB, tối đa 16 MB\)\.", page
    )
    assert elapsed < 5, elapsed  # ~0.3 s
    assert db.session.scalars(select(AgencyTemplate)).all() == []
    assert queued.count == 0
    resp = upload(client, home, "report", broken_content_types())
    assert resp.status_code == 400
    assert "“Tệp mẫu” bị hỏng: phần khai báo nội dung" in resp.get_data(as_text=True)


def test_the_worker_refuses_bombs_and_broken_files_with_bounded_memory(
    app, home, admin, db, queued
):
    """Files that reached the store without the web check (an older version, a restore) are
    refused by the job itself, each with a message; the worker's peak RSS stays bounded."""
    from app.services import storage

    files = {
        "bomb": bomb(),
        "content-types": broken_content_types(),
        "not-zip": b"PK\x03\x04 garbage",
        "memory": docx_with("report", "{{ 'x' * 3000000000 }}"),
    }
    ids = {}
    for name, data in files.items():
        rel = f"agency-templates/{home.id}/{name}.docx"
        storage.write(rel, data)
        t = AgencyTemplate(
            agency_id=home.id, kind="report", filename=f"{name}.docx", path=rel, problems=[]
        )
        db.session.add(t)
        db.session.commit()
        ids[name] = t.id
        queued.enqueue("worker.templates.check_agency_template", t.id, job_timeout=120)
    started = time.monotonic()
    peak = run_worker_measured(app, queued)
    elapsed = time.monotonic() - started
    print(f"worker peak RSS {peak / MB:.0f} MB, {elapsed:.1f} s for {len(files)} hostile files")
    assert peak < 400 * MB, peak / MB
    db.session.expire_all()
    for name, tid in ids.items():
        t = db.session.get(AgencyTemplate, tid)
        assert t.status == "refused", (name, t.status, t.problems)
        assert t.problems and t.problems[0], name
    assert "giải nén lớn bất thường" in db.session.get(AgencyTemplate, ids["bomb"]).problems[0]
    assert "256 MB bộ nhớ" in db.session.get(AgencyTemplate, ids["memory"]).problems[0]


def test_the_isolated_check_has_a_time_limit():
    slow = docx_with(
        "report",
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}",
    )
    started = time.monotonic()
    with pytest.raises(TemplateRejected, match="quá 2 giây"):
        check_template_isolated(slow, "report", seconds=2)
    assert time.monotonic() - started < 6
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert check_template_isolated(docx_with("report", "MẪU RIÊNG"), "report") == []
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert after * 1024 < 600 * MB, (before, after)
