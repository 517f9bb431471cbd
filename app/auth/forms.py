from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.auth.models import Action, Role, Scope
from app.web.forms import DateField, choices

ROLE_CHOICES = choices(Role.choices())
SCOPE_CHOICES = choices([("", "役割に応じて（管理者は全業務、それ以外は窓口業務）"), *Scope.choices()])
NUMBER_HANDLER_LABEL = "事務取扱担当者（個人番号を扱う）"


def _optional_int(value: object) -> int | None:
    return int(str(value)) if value not in (None, "") else None


class LoginForm(FlaskForm):
    """A login name is at most 64 characters with no control character (every account's is), so
    anything else is refused here, before it reaches the database (issue 14 §4 "Bad input")."""

    username = StringField("ログイン名", validators=[
        DataRequired("ログイン名を入力してください。"),
        Length(max=64, message="ログイン名は64文字以内です。"),
        Regexp(r"^[^\x00-\x1f\x7f]*\Z", message="ログイン名に使えない文字が含まれています。"),
    ])
    password = PasswordField("パスワード", validators=[DataRequired("パスワードを入力してください。")])


class UserCreateForm(FlaskForm):
    """What is required is said by the service, with every other problem at once."""

    username = StringField("ログイン名", validators=[Length(max=64)])
    display_name = StringField("氏名", validators=[Length(max=100)])
    role = SelectField("役割", choices=ROLE_CHOICES)
    scope = SelectField("担当業務", choices=SCOPE_CHOICES, validate_choice=False)  # the service says what is wrong
    number_handler = BooleanField(NUMBER_HANDLER_LABEL)
    password = PasswordField("初期パスワード")


class UserEditForm(FlaskForm):
    display_name = StringField("氏名", validators=[Length(max=100)])
    role = SelectField("役割", choices=ROLE_CHOICES)
    scope = SelectField("担当業務", choices=choices(Scope.choices()))
    number_handler = BooleanField(NUMBER_HANDLER_LABEL)
    active = BooleanField("有効")


class PasswordResetForm(FlaskForm):
    password = PasswordField("新しいパスワード", validators=[DataRequired("パスワードを入力してください。")])


class PasswordChangeForm(FlaskForm):
    """What is required is said by the service, with every other problem at once."""

    current_password = PasswordField("現在のパスワード")
    new_password = PasswordField("新しいパスワード")
    new_password_again = PasswordField("新しいパスワード（確認）")


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
