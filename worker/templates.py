"""The check of an uploaded agency template. Thin: loads the bytes, asks
:func:`worker.render.check_template_isolated` (a forked child with a time and a memory limit),
stores accepted or refused with the reasons in Vietnamese. Every way the check can end — a
refusal, a crash, a timeout of the job itself (:func:`check_failed`, RQ's ``on_failure``) — ends
in ``accepted`` or ``refused`` with a message, never ``pending``."""

from __future__ import annotations

from typing import Any

from worker.jobs import get_app

FAILED = "Không kiểm tra được mẫu (lỗi hệ thống khi kiểm tra); vui lòng tải lên lại."


def _finish(template_id: int, problems: list[str]) -> str:
    from app.extensions import db
    from app.models import AgencyTemplate
    from app.services import audit

    t = db.session.get(AgencyTemplate, template_id)
    if t is None:
        return "missing"
    was = t.status
    t.status = "refused" if problems else "accepted"
    t.problems = problems
    audit.record(
        None,
        t,
        "check",
        from_state=was,
        to_state=t.status,
        comment="; ".join(problems) or None,
        data={"kind": t.kind},
    )
    db.session.commit()
    return t.status


def check_agency_template(template_id: int) -> str:
    """Accept or refuse agency template ``template_id``. Returns its new status."""
    app = get_app()
    with app.app_context():
        from app.extensions import db
        from app.models import AgencyTemplate
        from app.services import storage
        from worker.render import TemplateRejected, check_template_isolated

        try:
            t = db.session.get(AgencyTemplate, template_id)
            if t is None:
                return "missing"
            try:
                missing = check_template_isolated(storage.read(t.path), t.kind)
            except TemplateRejected as exc:
                problems = [str(exc)]
            except FileNotFoundError:
                problems = ["Không tìm thấy tệp mẫu đã tải lên; vui lòng tải lên lại."]
            except Exception:  # noqa: BLE001 — a failed check is a refusal the user can read
                problems = [FAILED]
            else:
                problems = [
                    f"Mẫu dùng biến “{name}” mà hệ thống không cung cấp cho loại văn bản này."
                    for name in missing
                ]
            return _finish(template_id, problems)
        finally:
            db.session.remove()


def check_failed(job: Any, connection: Any, type: Any, value: Any, traceback: Any) -> None:  # noqa: A002
    """RQ ``on_failure`` of the check job (killed, timed out, crashed): refuse the template."""
    app = get_app()
    with app.app_context():
        from app.extensions import db
        from app.models import AgencyTemplate

        try:
            template_id = int(job.args[0])
            t = db.session.get(AgencyTemplate, template_id)
            if t is not None and t.status == "pending":
                _finish(template_id, [FAILED])
        finally:
            db.session.remove()
