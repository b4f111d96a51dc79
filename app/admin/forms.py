"""Forms of the administrator area. Every message is Vietnamese and names its field."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.datefield import DMYDateField
from app.inputs import BoundedForm, column_length
from app.models import ROLE_LABELS, Agency, CalendarDay, DocumentKind, User
from app.models.base import AgencyLevel
from app.services import api_tokens, passwords
from app.services.exceptions import InvalidInput
from app.ui import N_

LEVEL_LABELS = {
    AgencyLevel.CENTRAL: N_("Trung ương"),
    AgencyLevel.PROVINCE: N_("Cấp tỉnh"),
    AgencyLevel.DISTRICT: N_("Cấp huyện"),
    AgencyLevel.COMMUNE: N_("Cấp xã"),
    AgencyLevel.OTHER: N_("Khác"),
}
KIND_LABELS = {
    DocumentKind.PLAN: N_("Kế hoạch"),
    DocumentKind.REPORT: N_("Báo cáo của cơ quan"),
    DocumentKind.CONSOLIDATED: N_("Báo cáo tổng hợp"),
    DocumentKind.REMINDER: N_("Công văn đôn đốc"),
}
# ROLE_LABELS (app.models) are shown translated in this area: marked here for extraction.
_ROLE_NAMES = (
    N_("Chuyên viên"),
    N_("Văn thư"),
    N_("Lãnh đạo ký"),
    N_("Cán bộ đầu mối báo cáo"),
    N_("Lãnh đạo cơ quan"),
    N_("Quản trị"),
)
DAY_KIND_LABELS = {"holiday": N_("Ngày nghỉ (lễ, Tết, nghỉ bù)"), "workday": N_("Ngày làm bù")}
MIN_PASSWORD = passwords.MIN_LENGTH


def required(label: str) -> DataRequired:
    return DataRequired(_l("Chưa nhập “%(label)s”.", label=label))


def chosen(label: str) -> DataRequired:
    return DataRequired(_l("Chưa chọn “%(label)s”.", label=label))


def at_most(label: str, n: int) -> Length:
    return Length(max=n, message=_l("“%(label)s” dài quá %(n)s ký tự.", label=label, n=n))


def show_refusal(form: FlaskForm, exc: InvalidInput, field: str | None = None) -> None:
    """A service's refusal shown on the form: each of its messages under the field it names;
    with ``field``, under that field only (the whole refusal when it names nothing for it)."""
    messages = exc.errors if field is None else {field: exc.errors.get(field, str(exc))}
    for name, message in messages.items():
        target = form[name]
        target.errors = [*target.errors, gettext(str(message))]


def text_field(
    label: str,
    n: int,
    short: str | None = None,
    *,
    optional: bool = False,
    more: tuple = (),
    kind: type[StringField] = StringField,
) -> StringField:
    """A text input of at most ``n`` characters, required unless ``optional``, whose messages
    name it ``short`` (default: its label), with ``more`` validators after those."""
    name = short if short is not None else label
    first = Optional() if optional else required(name)
    return kind(label, validators=[first, at_most(name, n), *more])


class VNDateField(DMYDateField):
    """A date typed dd/mm/yyyy (the one date format of every input)."""


def options(pairs, translate: bool = True) -> list[SelectChoice]:  # noqa: ANN001
    """(value, label) pairs as WTForms choices. Labels from our own tables are translated
    lazily; user data (agency names) must pass ``translate=False``: a lazy string counts as safe
    markup (it has ``__html__``) and would bypass escaping."""
    return [
        SelectChoice(
            value=v, label=_l(label) if translate and isinstance(label, str) else str(label)
        )
        for v, label in pairs
    ]


def _invalid(label: str) -> dict[str, str]:
    msg = _l("“%(label)s”: lựa chọn không hợp lệ.", label=label)
    return {"invalid_value_message": msg, "invalid_choice_message": msg}


class VNSelectField(SelectField):
    """A select whose refusals are Vietnamese and name the field."""

    def __init__(self, label: str, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(label, *args, **{**_invalid(label), **kwargs})


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: str, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(label, *args, **{**_invalid(label), **kwargs})


def none_or_int(value):  # noqa: ANN001, ANN201
    return int(value) if value not in (None, "", "None") else 0


class AgencyForm(BoundedForm):
    code = text_field(
        _l("Mã cơ quan"),
        column_length(Agency.code),
        more=(
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                message=_l(
                    "“Mã cơ quan” chỉ gồm chữ không dấu, chữ số và dấu gạch ngang (ví dụ STP-TV)."
                ),
            ),
        ),
    )
    organ_id = text_field(
        _l("Mã định danh (liên thông văn bản)"),
        column_length(Agency.organ_id),
        _l("Mã định danh"),
        optional=True,
    )
    name = text_field(_l("Tên cơ quan"), column_length(Agency.name))
    short_name = text_field(_l("Tên ngắn"), column_length(Agency.short_name), optional=True)
    abbreviation = text_field(
        _l("Chữ viết tắt (trong số ký hiệu)"),
        column_length(Agency.abbreviation),
        _l("Chữ viết tắt"),
    )
    level = VNSelectField(
        _l("Cấp"),
        choices=options((str(k), v) for k, v in LEVEL_LABELS.items()),
        validators=[chosen(_l("Cấp"))],
    )
    place = text_field(_l("Địa danh"), column_length(Agency.place))
    parent_id = VNSelectField(_l("Cơ quan cấp trên"), coerce=none_or_int)
    header_parent = text_field(
        _l("Dòng tên cơ quan chủ quản (đầu văn bản)"),
        column_length(Agency.header_parent),
        _l("Dòng tên cơ quan chủ quản"),
        optional=True,
    )
    header_name = text_field(
        _l("Tên cơ quan ở đầu văn bản (mỗi dòng một dòng in)"),
        255,
        _l("Tên cơ quan ở đầu văn bản"),
        optional=True,
        kind=TextAreaField,
    )
    valid_from = VNDateField(_l("Hiệu lực từ ngày"), validators=[Optional()])


class RetireForm(BoundedForm):
    successor_id = VNSelectField(_l("Cơ quan kế nhiệm"), coerce=none_or_int)
    on = VNDateField(
        _l("Hết hiệu lực sau ngày"), validators=[required(_l("Hết hiệu lực sau ngày"))]
    )


class UserEditForm(BoundedForm):
    full_name = text_field(_l("Họ và tên"), column_length(User.full_name))
    email = text_field(
        _l("Thư điện tử"),
        column_length(User.email),
        optional=True,
        more=(
            Email(
                _l("“Thư điện tử” không đúng dạng (ví dụ ten@travinh.gov.vn)."),
                check_deliverability=False,
            ),
        ),
        kind=EmailField,
    )
    agency_id = VNSelectField(_l("Cơ quan"), coerce=none_or_int, validators=[chosen(_l("Cơ quan"))])
    roles = CheckboxesField(
        _l("Vai trò"), choices=options((str(k), v) for k, v in ROLE_LABELS.items())
    )


def password_field(label: str = _l("Mật khẩu")) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            required(label),
            Length(
                min=MIN_PASSWORD,
                max=128,
                message=_l(
                    "“%(label)s” phải có từ %(min)s đến 128 ký tự.", label=label, min=MIN_PASSWORD
                ),
            ),
        ],
    )


class UserCreateForm(UserEditForm):
    username = text_field(
        _l("Tên đăng nhập"),
        column_length(User.username),
        more=(
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l(
                    "“Tên đăng nhập” chỉ gồm chữ không dấu, chữ số, dấu chấm, "
                    "gạch ngang, gạch dưới."
                ),
            ),
        ),
    )
    password = password_field()


class PasswordResetForm(BoundedForm):
    password = password_field(_l("Mật khẩu mới"))


class CalendarDayForm(BoundedForm):
    day = VNDateField(_l("Ngày"), validators=[required(_l("Ngày"))])
    kind = VNSelectField(
        _l("Loại ngày"),
        choices=options(DAY_KIND_LABELS.items()),
        validators=[chosen(_l("Loại ngày"))],
    )
    name = text_field(_l("Tên / lý do"), column_length(CalendarDay.name))


class TemplateUploadForm(BoundedForm):
    kind = VNSelectField(
        _l("Loại văn bản"),
        choices=options((str(k), v) for k, v in KIND_LABELS.items()),
        validators=[chosen(_l("Loại văn bản"))],
    )
    file = FileField(
        _l("Tệp mẫu (.docx, tối đa 2 MB)"), validators=[FileRequired(_l("Chưa chọn “Tệp mẫu”."))]
    )


SIGN_AUTHORITIES = (
    ("", N_("Ký trực tiếp (không ghi)")),
    ("TM.", N_("TM. — Thay mặt")),
    ("KT.", N_("KT. — Ký thay")),
    ("TL.", N_("TL. — Thừa lệnh")),
    ("TUQ.", N_("TUQ. — Thừa ủy quyền")),
    ("Q.", N_("Q. — Quyền")),
)


class SignerForm(BoundedForm):
    """A person who signs the agency's documents (app.services.signers)."""

    name = text_field(_l("Họ và tên người ký"), 255)
    title = text_field(_l("Chức vụ (in dưới thẩm quyền, ví dụ PHÓ GIÁM ĐỐC)"), 255, _l("Chức vụ"))
    authority = VNSelectField(_l("Thẩm quyền ký"), choices=options(SIGN_AUTHORITIES), default="")
    authority_of = StringField(
        _l("Thay mặt / ký thay cho (ví dụ GIÁM ĐỐC)"),
        validators=[at_most(_l("Thay mặt / ký thay cho"), 255)],
    )
    position_note = text_field(
        _l("Chức vụ kiêm nhiệm (nếu có)"), 255, _l("Chức vụ kiêm nhiệm"), optional=True
    )
    kinds = CheckboxesField(
        _l("Ký các loại văn bản (để trống: mọi loại)"),
        choices=options((str(k), v) for k, v in KIND_LABELS.items()),
    )
    user_id = VNSelectField(_l("Tài khoản của người ký"), coerce=none_or_int, default=0)

    def validate_authority_of(self, field) -> None:  # noqa: ANN001
        if self.authority.data and not (field.data or "").strip():
            raise ValidationError(_l("Vui lòng nhập “Thay mặt / ký thay cho” khi chọn thẩm quyền."))


class ActionForm(BoundedForm):
    """Just the CSRF token, for one-button actions (deactivate, remove, load)."""


class ApiTokenForm(BoundedForm):
    """A new API token for an agency's system."""

    name = text_field(_l("Tên hệ thống"), 128)
    roles = CheckboxesField(
        _l("Quyền"),
        choices=options((str(k), ROLE_LABELS[k]) for k in api_tokens.ALLOWED_ROLES),
        validators=[chosen(_l("Quyền"))],
    )


# ----------------------------------------------------------------------------- digital signing


class KeyUploadForm(BoundedForm):
    """A PKCS#12 key and its passphrase (read once, never stored: app.services.signing_keys)."""

    file = FileField(
        _l("Tệp khóa (.p12, .pfx)"),
        validators=[FileRequired(_l("Chưa chọn “Tệp khóa (.p12, .pfx)”."))],
    )
    passphrase = PasswordField(
        _l("Mật khẩu của tệp khóa"),
        validators=[Length(max=256, message=_l("“Mật khẩu của tệp khóa” tối đa 256 ký tự."))],
    )


class ImageUploadForm(BoundedForm):
    """The signer's signature image or the agency's seal image (PNG)."""

    file = FileField(_l("Ảnh (PNG)"), validators=[FileRequired(_l("Chưa chọn “Ảnh (PNG)”."))])


class TrustRootForm(BoundedForm):
    file = FileField(
        _l("Chứng thư gốc (.pem, .cer, .crt)"),
        validators=[FileRequired(_l("Chưa chọn “Chứng thư gốc”."))],
    )


class RevocationForm(BoundedForm):
    file = FileField(
        _l("Danh sách thu hồi / phản hồi OCSP"),
        validators=[FileRequired(_l("Chưa chọn “Danh sách thu hồi / phản hồi OCSP”."))],
    )


# -- agency groups (issue 12, point 7) ----------------------------------------------------------


class GroupForm(BoundedForm):
    """An agency group: the name a plan prints once, and its members — listed, or every agency
    of a level (under a parent agency when chosen), or both."""

    code = text_field(
        _l("Mã nhóm"),
        64,
        more=(
            Regexp(
                r"^[A-Za-z0-9][A-Za-z0-9-]*$",
                message=_l("“Mã nhóm” chỉ gồm chữ không dấu, chữ số và dấu gạch ngang."),
            ),
        ),
    )
    name = text_field(_l("Tên nhóm như kế hoạch ghi"), 255, _l("Tên nhóm"))
    member_level = VNSelectField(
        _l("Mọi cơ quan cấp"),
        choices=options([("", N_("— Không dùng quy tắc —"))] + list(LEVEL_LABELS.items())),
        default="",
    )
    member_parent_id = VNSelectField(_l("trực thuộc"), coerce=none_or_int, default=0)
    members = CheckboxesField(_l("Thành viên liệt kê"), coerce=int)

    def validate_members(self, field) -> None:  # noqa: ANN001
        if not field.data and not self.member_level.data:
            raise ValidationError(
                _l("Chọn ít nhất một thành viên, hoặc chọn “Mọi cơ quan cấp” cho nhóm.")
            )
