from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from app.inputs import BoundedForm


class ActionForm(BoundedForm):
    trigger = HiddenField()
    comment = TextAreaField(_l("Lý do trả lại dự thảo"))


class SignedCopyForm(BoundedForm):
    file = FileField(
        _l("Bản đã ký (PDF, DOCX, JPG hoặc PNG)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp bản đã ký."))],
    )


AUTHORITIES = [
    SelectChoice(v, label)
    for v, label in (
        ("", "Ký trực tiếp (không ghi)"),
        ("TM.", "TM. — Thay mặt"),
        ("KT.", "KT. — Ký thay"),
        ("TL.", "TL. — Thừa lệnh"),
        ("TUQ.", "TUQ. — Thừa ủy quyền"),
        ("Q.", "Q. — Quyền"),
    )
]


class SignForm(BoundedForm):
    """Who signs and under which authority (Decree 30/2020, Article 13). CSRF is checked by the
    page's own token (CSRFProtect)."""

    class Meta:
        csrf = False

    authority = SelectField("Thẩm quyền ký", choices=AUTHORITIES, default="")
    authority_of = StringField("Thay mặt / ký thay cho", description="VD: CHỦ TỊCH, GIÁM ĐỐC")
    title = StringField(
        "Chức vụ người ký", validators=[InputRequired("Vui lòng nhập “Chức vụ người ký”.")]
    )
    name = StringField(
        "Họ và tên người ký", validators=[InputRequired("Vui lòng nhập “Họ và tên người ký”.")]
    )

    def validate_authority_of(self, field) -> None:  # noqa: ANN001
        if self.authority.data and not (field.data or "").strip():
            raise ValidationError(
                f"Vui lòng nhập “Thay mặt / ký thay cho” khi ký {self.authority.data}"
            )

    def signer(self, defaults: dict) -> dict:
        return {
            **defaults,
            "authority": self.authority.data or "",
            "authority_of": (self.authority_of.data or "").strip() if self.authority.data else "",
            "title": self.title.data.strip(),
            "name": self.name.data.strip(),
        }


class ChooseSignerForm(BoundedForm):
    """Whom the draft is made for: one of the issuing agency's signers (audited)."""

    signer_id = SelectField(_l("Người ký dự kiến"), coerce=int, validate_choice=True)


class DraftUploadForm(BoundedForm):
    """A draft edited in Word or LibreOffice, uploaded as the next version before signature."""

    file = FileField(
        _l("Bản dự thảo đã sửa (.docx)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp dự thảo đã sửa."))],
    )


class StatusPacketForm(BoundedForm):
    """An edXML status packet a recipient sent (arrived, accepted, refused, done …)."""

    file = FileField(
        _l("Gói trạng thái edXML (.xml, .edxml)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp gói trạng thái edXML."))],
    )
