from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.models import DEPARTMENTS
from app.web.forms import CodeField, DateField, DecimalNumberField, NumberField, choices, in_integer_range

REQUIRED = "必須項目です。"


class MunicipalityForm(FlaskForm):
    """What is required is said by the service, with every other problem at once."""

    name = StringField("自治体名", validators=[Length(max=50)])
    code = CodeField("地方公共団体コード（6桁）")
    postal_code = CodeField("郵便番号", validators=[Optional()])
    address = StringField("所在地", validators=[Length(max=200)])
    mayor_name = StringField("市長名", validators=[Length(max=50)])
    contractor_name = StringField("受託者名", validators=[Length(max=100)])


class SpecialOpeningForm(FlaskForm):
    day = DateField("開庁日", validators=[DataRequired("日付を入力してください。")])
    note = StringField("理由・備考", validators=[Optional(), Length(max=200)])


class CounterForm(FlaskForm):
    number = NumberField("窓口番号", validators=[DataRequired("窓口番号を入力してください。"), in_integer_range()])
    name = StringField("窓口名", validators=[DataRequired(REQUIRED), Length(max=50)])
    department = SelectField("担当課", choices=choices(DEPARTMENTS.items()))
    active = BooleanField("使用中", default=True)


class SealForm(FlaskForm):
    """公印の画像: PNG only, with its true size (checked by the service)."""

    seal_file = FileField("公印の画像（PNG）")
    seal_mm = DecimalNumberField("公印の大きさ（mm、一辺又は直径）")
