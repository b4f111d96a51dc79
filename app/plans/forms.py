from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField

from app.inputs import BoundedForm


class ImportForm(BoundedForm):
    file = FileField(
        _l("Tệp định nghĩa kế hoạch (.yaml)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp kế hoạch (.yaml)."))],
    )


class CloseRoundForm(BoundedForm):
    comment = TextAreaField(_l("Ghi chú khi khóa sổ (không bắt buộc)"))


class BasisPacketForm(BoundedForm):
    """An incoming edXML packet (a parent agency's plan) to add as the plan's căn cứ."""

    file = FileField(
        _l("Gói edXML văn bản của cơ quan cấp trên (.xml, .edxml)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp gói edXML."))],
    )
