from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, TextAreaField


class ActionForm(FlaskForm):
    trigger = HiddenField()
    comment = TextAreaField("Lý do trả lại dự thảo")


class SignedCopyForm(FlaskForm):
    file = FileField("Bản đã ký (PDF, DOCX, JPG hoặc PNG)",
                     validators=[FileRequired("Vui lòng chọn tệp bản đã ký.")])
