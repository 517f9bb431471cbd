from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from app.devices.models import DeviceKind, TerminalKind
from app.web.forms import CodeField, choices


def _optional_int(value: object) -> int | None:
    return int(value) if value not in (None, "", "None") else None  # type: ignore[call-overload]


class TerminalForm(FlaskForm):
    code = CodeField("端末コード", validators=[DataRequired("端末コードを入力してください。"),
                                               Length(max=32)])
    name = StringField("端末名", validators=[DataRequired("端末名を入力してください。"),
                                           Length(max=100)])
    kind = SelectField("種類", choices=choices(TerminalKind.choices()))
    counter_id = SelectField("窓口", coerce=_optional_int)
    handling_area_id = SelectField("取扱区域", coerce=_optional_int)
    active = BooleanField("使用中", default=True)
    sound = BooleanField("音声案内を自動で開始する（表示端末：キオスクモードで自動再生を許可したブラウザ）")


class BindingForm(FlaskForm):
    name = StringField("機器名", validators=[DataRequired("機器名を入力してください（例：printer）。"), Length(max=32)])
    kind = SelectField("種類", choices=choices(DeviceKind.choices()))
    url = StringField("接続先", validators=[DataRequired("接続先を入力してください。"), Length(max=300)])
    active = BooleanField("使用中", default=True)
