from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.models import Action, Role
from app.web.forms import choices

ROLE_CHOICES = choices(Role.choices())


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "") else None


class LoginForm(FlaskForm):
    username = StringField("ログイン名", validators=[DataRequired("ログイン名を入力してください。")])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])


class UserCreateForm(FlaskForm):
    """What is required is said by the service, with every other problem at once."""

    username = StringField("ログイン名", validators=[Length(max=64)])
    display_name = StringField("氏名", validators=[Length(max=100)])
    role = SelectField("役割", choices=ROLE_CHOICES)
    password = PasswordField("初期パスワード")


class UserEditForm(FlaskForm):
    display_name = StringField("氏名", validators=[Length(max=100)])
    role = SelectField("役割", choices=ROLE_CHOICES)
    active = BooleanField("有効")


class PasswordResetForm(FlaskForm):
    password = PasswordField("新しいパスワード", validators=[DataRequired("パスワードを入力してください。")])


class AuditFilterForm(FlaskForm):
    """Filters in people's words: a person by name, a kind of object by its Japanese name (the
    choices of both are set by the view from what the reader may see)."""

    class Meta:
        csrf = False  # a GET search form

    person = SelectField("利用者", coerce=_optional_int, validators=[Optional()])
    object_type = SelectField("対象の種類", validators=[Optional()])
    object_id = StringField("対象の番号", validators=[Optional(), Length(max=64)])
    action = SelectField("操作", choices=choices([("", "すべて"), *Action.choices()]), validators=[Optional()])
    date_from = DateField("開始日", validators=[Optional()])
    date_to = DateField("終了日", validators=[Optional()])
