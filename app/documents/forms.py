from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, TextAreaField


class ActionForm(FlaskForm):
    trigger = HiddenField()
    comment = TextAreaField(_l("Lý do trả lại dự thảo"))


class SignedCopyForm(FlaskForm):
    file = FileField(_l("Bản đã ký (PDF, DOCX, JPG hoặc PNG)"),
                     validators=[FileRequired(_l("Vui lòng chọn tệp bản đã ký."))])
