"""Forms of the settlement pages (issue 19 §1-2)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.settlement.models import RateKind
from app.web.forms import CodeField, DateField, FoldedLength, NumberField, choices, in_integer_range


class NoteForm(FlaskForm):
    note = TextAreaField("内容（相違の内容・解消の内容・解除の理由）", validators=[Optional(), Length(max=2000)])


class CarrierForm(FlaskForm):
    carrier = StringField("配送業者", validators=[Optional(), FoldedLength(max=100)])
    number = CodeField("請求書番号", validators=[Optional(), Length(max=40)])
    parcels = NumberField("請求の個数", validators=[Optional(), in_integer_range(0)])
    amount = NumberField("請求額（円）", validators=[Optional(), in_integer_range(0)])


class AdForm(FlaskForm):
    spent_on = DateField("実施日", validators=[Optional()])
    medium = StringField("媒体", validators=[Optional(), FoldedLength(max=100)])
    description = TextAreaField("内容", validators=[Optional(), Length(max=2000)])
    amount = NumberField("金額（円、税込）", validators=[Optional(), in_integer_range(0)])
    approved_on = DateField("市の承認日", validators=[Optional()])
    approval_ref = StringField("承認の文書番号", validators=[Optional(), FoldedLength(max=100)])


class RateForm(FlaskForm):
    kind = SelectField("種類", choices=choices(RateKind.choices()))
    key = CodeField("荷物のサイズ（配送料）・ポータルのコード（ポータル手数料）・決済方法（決済手数料）",
                    validators=[Optional(), Length(max=20)])
    effective_from = DateField("適用開始日", validators=[Optional()])
    value = NumberField("金額（円）・率（0.01%単位：12.5%は1250、上限10000）",
                        validators=[Optional(), in_integer_range(0)])


class DayForm(FlaskForm):
    day = DateField("日付", validators=[Optional()])
