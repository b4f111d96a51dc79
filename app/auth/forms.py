from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[DataRequired(_l("Vui lòng nhập tên đăng nhập.")), Length(max=64)],
    )
    password = PasswordField(
        _l("Mật khẩu"), validators=[DataRequired(_l("Vui lòng nhập mật khẩu."))]
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))
