"""The check of an uploaded agency template. Thin: loads the bytes, asks
:func:`worker.render.check_template`, stores accepted or refused with the reasons in Vietnamese."""

from __future__ import annotations

from worker.jobs import get_app


def check_agency_template(template_id: int) -> str:
    """Accept or refuse agency template ``template_id``. Returns its new status."""
    app = get_app()
    with app.app_context():
        from app.extensions import db
        from app.models import AgencyTemplate
        from app.services import audit, storage
        from worker.render import TemplateRejected, check_template

        try:
            t = db.session.get(AgencyTemplate, template_id)
            if t is None:
                return "missing"
            try:
                missing = check_template(storage.read(t.path), t.kind)
            except TemplateRejected as exc:
                problems = [str(exc)]
            except FileNotFoundError:
                problems = ["Không tìm thấy tệp mẫu đã tải lên; vui lòng tải lên lại."]
            else:
                problems = [
                    f"Mẫu dùng biến “{name}” mà hệ thống không cung cấp cho loại văn bản này."
                    for name in missing
                ]
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
        finally:
            db.session.remove()
