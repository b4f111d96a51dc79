from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length

from app.datefield import DMYDateField
from app.inputs import BoundedForm
from forms import bounds


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


class RecordIssuedForm(BoundedForm):
    """A plan issued on paper, recorded by the issuer's clerk: its number and date as printed
    (checked against the register and the plan's deadlines by ``loader.record_issued``)."""

    number = StringField(
        _l("Số văn bản"),
        validators=[InputRequired(_l("Chưa nhập “Số văn bản”.")), Length(max=6)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    issued_on = DMYDateField(
        _l("Ngày ban hành"), validators=[InputRequired(_l("Chưa nhập “Ngày ban hành”."))]
    )

    def validate_number(self, field: StringField) -> None:
        if bounds.parse_int(field.data or "", 1, 99999) is None:
            raise ValidationError(_l("“Số văn bản” phải là số nguyên từ 1 đến 99999."))


class IncomingBasisForm(BoundedForm):
    """Add a document packet received from the exchange as the plan's căn cứ (a button)."""
