from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.queue.models import Priority
from app.web.forms import CheckboxList, CodeField, NumberField, choices, in_integer_range

REQUIRED = "必須項目です。"


class CategoryForm(FlaskForm):
    code = CodeField("コード（半角英数字）", validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField("名称（発券機の表示）", validators=[DataRequired(REQUIRED), Length(max=50)])
    letter = StringField("番号札の記号", validators=[DataRequired(REQUIRED), Length(max=2)])
    description = StringField("説明", validators=[Optional(), Length(max=200)])
    counter_ids = CheckboxList("受け付ける窓口", coerce=int)
    opens = TimeField("受付開始（空欄は開庁時刻）", validators=[Optional()])
    closes = TimeField("受付終了（空欄は閉庁時刻）", validators=[Optional()])
    minutes_per_ticket = NumberField("1人あたりの目安（分）", default=10,
                                      validators=[DataRequired(REQUIRED), NumberRange(1, 240)])
    sort_order = NumberField("表示順", default=0, validators=[Optional(), in_integer_range()])
    active = BooleanField("発券する", default=True)


class SettingsForm(FlaskForm):
    recalls_before_no_show = NumberField("不在にする前の再呼出回数", validators=[NumberRange(0, 10)])
    cashier_place = StringField("会計の呼出先（表示・音声）", validators=[DataRequired(REQUIRED), Length(max=30)])


class StaffIssueForm(FlaskForm):
    category_id = SelectField("業務", coerce=int)
    priority = SelectField("優先受付", choices=choices([("", "なし"), *Priority.choices()]))
