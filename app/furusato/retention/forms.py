"""Forms of retention and disposal."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.retention.models import RETAINED
from app.web.forms import DateField, FoldedLength, NumberField, choices


class PeriodForm(FlaskForm):
    kind = SelectField("記録の種類", choices=choices([(k.value, k.label) for k in RETAINED]))
    years = NumberField("保存期間（年）", validators=[Optional()])


class DisposalForm(FlaskForm):
    kind = SelectField("記録の種類", choices=choices([(k.value, k.label) for k in RETAINED]))
    items = TextAreaField("廃棄する項目", validators=[Optional(), Length(max=2000)])
    medium = StringField("媒体", validators=[Optional(), FoldedLength(max=200)])
    method = TextAreaField("廃棄の方法", validators=[Optional(), Length(max=2000)])
    planned_on = DateField("処理予定日", validators=[Optional()])


class DecisionForm(FlaskForm):
    decision = SelectField("判断", choices=choices([("approve", "承認する"), ("reject", "承認しない")]),
                           default="approve")
    note = TextAreaField("意見・不承認の理由", validators=[Optional(), Length(max=2000)])
