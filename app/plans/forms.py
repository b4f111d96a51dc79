from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField


class ImportForm(FlaskForm):
    file = FileField(
        _l("Tệp định nghĩa kế hoạch (.yaml)"),
        validators=[FileRequired(_l("Vui lòng chọn tệp kế hoạch (.yaml)."))],
    )


class CloseRoundForm(FlaskForm):
    comment = TextAreaField(_l("Ghi chú khi khóa sổ (không bắt buộc)"))
