"""Forms of the administrator area. Every message is Vietnamese and names its field."""

from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import ROLE_LABELS, DocumentKind
from app.models.base import AgencyLevel

LEVEL_LABELS = {
    AgencyLevel.CENTRAL: "Trung ương",
    AgencyLevel.PROVINCE: "Cấp tỉnh",
    AgencyLevel.COMMUNE: "Cấp xã",
    AgencyLevel.OTHER: "Khác",
}
KIND_LABELS = {
    DocumentKind.PLAN: "Kế hoạch",
    DocumentKind.REPORT: "Báo cáo của cơ quan",
    DocumentKind.CONSOLIDATED: "Báo cáo tổng hợp",
    DocumentKind.REMINDER: "Công văn đôn đốc",
}
DAY_KIND_LABELS = {"holiday": "Ngày nghỉ (lễ, Tết, nghỉ bù)", "workday": "Ngày làm bù"}
MIN_PASSWORD = 8


def required(label: str) -> DataRequired:
    return DataRequired(f"Chưa nhập “{label}”.")


def chosen(label: str) -> DataRequired:
    return DataRequired(f"Chưa chọn “{label}”.")


def at_most(label: str, n: int) -> Length:
    return Length(max=n, message=f"“{label}” dài quá {n} ký tự.")


class VNDateField(DateField):
    """A date field whose parse error is Vietnamese and names the field."""

    def process_formdata(self, valuelist):  # noqa: ANN001
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(f"“{self.label.text}”: ngày không hợp lệ "
                             "(dạng ngày/tháng/năm).") from None


def options(pairs) -> list[SelectChoice]:  # noqa: ANN001
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value=v, label=label) for v, label in pairs]


def _invalid(label: str) -> dict[str, str]:
    msg = f"“{label}”: lựa chọn không hợp lệ."
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


class AgencyForm(FlaskForm):
    code = StringField("Mã cơ quan", validators=[
        required("Mã cơ quan"), at_most("Mã cơ quan", 64),
        Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]*$",
               message="“Mã cơ quan” chỉ gồm chữ không dấu, chữ số và dấu gạch ngang "
                       "(ví dụ STP-TV).")])
    name = StringField("Tên cơ quan",
                       validators=[required("Tên cơ quan"), at_most("Tên cơ quan", 255)])
    short_name = StringField("Tên ngắn", validators=[Optional(), at_most("Tên ngắn", 255)])
    abbreviation = StringField("Chữ viết tắt (trong số ký hiệu)", validators=[
        required("Chữ viết tắt"), at_most("Chữ viết tắt", 32)])
    level = VNSelectField("Cấp", choices=options((str(k), v) for k, v in LEVEL_LABELS.items()),
                          validators=[chosen("Cấp")])
    place = StringField("Địa danh", validators=[required("Địa danh"), at_most("Địa danh", 128)])
    parent_id = VNSelectField("Cơ quan cấp trên", coerce=none_or_int)
    header_parent = StringField("Dòng tên cơ quan chủ quản (đầu văn bản)",
                                validators=[Optional(), at_most("Dòng tên cơ quan chủ quản", 255)])
    valid_from = VNDateField("Hiệu lực từ ngày", validators=[Optional()])


class RetireForm(FlaskForm):
    successor_id = VNSelectField("Cơ quan kế nhiệm", coerce=none_or_int)
    on = VNDateField("Hết hiệu lực sau ngày", validators=[required("Hết hiệu lực sau ngày")])


class UserEditForm(FlaskForm):
    full_name = StringField("Họ và tên",
                            validators=[required("Họ và tên"), at_most("Họ và tên", 255)])
    email = EmailField("Thư điện tử", validators=[
        Optional(), at_most("Thư điện tử", 255),
        Email("“Thư điện tử” không đúng dạng (ví dụ ten@travinh.gov.vn).",
              check_deliverability=False)])
    agency_id = VNSelectField("Cơ quan", coerce=none_or_int, validators=[chosen("Cơ quan")])
    roles = CheckboxesField("Vai trò", choices=options((str(k), v) for k, v in ROLE_LABELS.items()))


def password_field(label: str = "Mật khẩu") -> PasswordField:
    return PasswordField(label, validators=[
        required(label),
        Length(min=MIN_PASSWORD, max=128,
               message=f"“{label}” phải có từ {MIN_PASSWORD} đến 128 ký tự.")])


class UserCreateForm(UserEditForm):
    username = StringField("Tên đăng nhập", validators=[
        required("Tên đăng nhập"), at_most("Tên đăng nhập", 64),
        Regexp(r"^[A-Za-z0-9._-]+$",
               message="“Tên đăng nhập” chỉ gồm chữ không dấu, chữ số, dấu chấm, "
                       "gạch ngang, gạch dưới.")])
    password = password_field()


class PasswordResetForm(FlaskForm):
    password = password_field("Mật khẩu mới")


class CalendarDayForm(FlaskForm):
    day = VNDateField("Ngày", validators=[required("Ngày")])
    kind = VNSelectField("Loại ngày", choices=options(DAY_KIND_LABELS.items()),
                         validators=[chosen("Loại ngày")])
    name = StringField("Tên / lý do",
                       validators=[required("Tên / lý do"), at_most("Tên / lý do", 255)])


class TemplateUploadForm(FlaskForm):
    kind = VNSelectField("Loại văn bản",
                         choices=options((str(k), v) for k, v in KIND_LABELS.items()),
                         validators=[chosen("Loại văn bản")])
    file = FileField("Tệp mẫu (.docx, tối đa 2 MB)",
                     validators=[FileRequired("Chưa chọn “Tệp mẫu”.")])


class ActionForm(FlaskForm):
    """Just the CSRF token, for one-button actions (deactivate, remove, load)."""
