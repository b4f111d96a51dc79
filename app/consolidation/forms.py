from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField

from app.inputs import BoundedForm


class CreateForm(BoundedForm):
    """Only the CSRF token: the consolidated report is drafted from the figures shown."""


class ReportPartsForm(BoundedForm):
    """The standing agency's own parts of the consolidated report (app/services/report_parts)."""

    addressees = TextAreaField(_l("Kính gửi (mỗi dòng một nơi)"))
    recipients = TextAreaField(
        _l("Nơi nhận, sau “Như trên” (mỗi dòng một nơi; dòng trong ngoặc là ghi chú)")
    )
    assessment = TextAreaField(_l("Đánh giá chung (mỗi dòng một đoạn)"))
    next_steps = TextAreaField(_l("Nhiệm vụ thời gian tới (mỗi dòng một đoạn)"))
    proposals = TextAreaField(_l("Đề xuất, kiến nghị (mỗi dòng một đoạn)"))
    seen = HiddenField()  # report_parts.fingerprint of the parts the form showed
