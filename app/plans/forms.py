from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import TextAreaField


class ImportForm(FlaskForm):
    file = FileField("Tệp định nghĩa kế hoạch (.yaml)",
                     validators=[FileRequired("Vui lòng chọn tệp kế hoạch (.yaml).")])


class CloseRoundForm(FlaskForm):
    comment = TextAreaField("Ghi chú khi khóa sổ (không bắt buộc)")
