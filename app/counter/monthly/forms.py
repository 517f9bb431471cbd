from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.counter.monthly.models import AnswerMethod, MonthlyListKind, SubsidyKind
from app.web.forms import CheckboxList, CodeField, DateField, NumberField, choices, in_integer_range


class DrawForm(FlaskForm):
    kind = SelectField("一覧の種類", choices=choices(MonthlyListKind.choices()))
    month = CodeField("対象月（例: 2026-12）", validators=[DataRequired("対象月を入力してください。"), Length(max=7)])


class CheckForm(FlaskForm):
    note = StringField("確認メモ", validators=[Optional(), Length(max=500)])


class SurveyForm(FlaskForm):
    address = StringField("対象地区（住所の一部、空欄は全域）", validators=[Optional(), Length(max=100)])
    reply_by = DateField("返送期限", validators=[Optional()])


class PostedForm(FlaskForm):
    posted_on = DateField("発送日", validators=[Optional()])


class ReturnForm(FlaskForm):
    returned_on = DateField("戻った日", validators=[Optional()])
    note = StringField("理由（宛所不明など）", validators=[Optional(), Length(max=500)])


class ReplyForm(FlaskForm):
    replied_on = DateField("回答の届いた日", validators=[Optional()])
    note = StringField("回答の内容（訂正の有無など）", validators=[Optional(), Length(max=500)])


class HandoverForm(FlaskForm):
    what = StringField("引き継ぐ内容", validators=[Optional(), Length(max=200)])
    reason = TextAreaField("市職員の判断が必要な理由", validators=[Optional(), Length(max=2000)])
    case_id = NumberField("受付番号（案件があれば）", validators=[Optional(), in_integer_range(1)])
    resident_id = NumberField("住民番号（住民記録があれば）", validators=[Optional(), in_integer_range(1)])


class AnswerForm(FlaskForm):
    answer_method = SelectField("回答の方法", choices=choices([("", "選んでください"), *AnswerMethod.choices()]))
    answer = TextAreaField("回答", validators=[Optional(), Length(max=2000)])


class SubsidyCheckForm(FlaskForm):
    kind = SelectField("給付の種類", choices=choices([("", "選んでください"), *SubsidyKind.choices()]))
    resident_id = NumberField("対象者の住民番号", validators=[Optional(), in_integer_range(1)])
    received_on = DateField("受付日", validators=[Optional()])
    present = CheckboxList("申請にそろっているもの", choices=[], validate_choice=False)
