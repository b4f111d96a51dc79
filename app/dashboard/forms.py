from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.datefield import DMYDateField
from app.inputs import BoundedForm


class Form(BoundedForm):
    """CSRF is checked for every POST by CSRFProtect (``csrf_token`` field of the page)."""

    class Meta:
        csrf = False


def _required(label: str) -> InputRequired:
    return InputRequired(_l("Vui lòng nhập “%(label)s”.", label=label))


def _date_message(label: str) -> str:
    return gettext("“%(label)s” không phải là ngày hợp lệ (ngày/tháng/năm).", label=label)


class ExtensionRequestForm(Form):
    requested_due = DMYDateField(
        _l("Hạn mới đề nghị"), validators=[_required(_l("Hạn mới đề nghị"))]
    )
    reason = TextAreaField(_l("Lý do xin gia hạn"), validators=[_required(_l("Lý do xin gia hạn"))])


class GrantForm(Form):
    granted_due = DMYDateField(
        _l("Gia hạn đến ngày"), validators=[_required(_l("Gia hạn đến ngày"))]
    )
    comment = TextAreaField(_l("Ghi chú (không bắt buộc)"), validators=[Optional()])


class RefuseForm(Form):
    comment = TextAreaField(
        _l("Lý do không gia hạn"), validators=[_required(_l("Lý do không gia hạn"))]
    )


class ReopenForm(Form):
    until = DMYDateField(_l("Mở lại đến ngày (để trống: không hạn)"), validators=[Optional()])
    comment = StringField(_l("Ghi chú"), validators=[Optional()])


def date_errors(form: BoundedForm) -> None:
    """WTForms' English "Not a valid date value." → a Vietnamese sentence naming the field."""
    for field in form:
        if isinstance(field, DateField):
            label = str(field.label.text).split(" (")[0]
            field.errors = [
                _date_message(label) if "valid date" in str(e) else e for e in field.errors
            ]
