"""Forms of the inquiry log. What is required is said by the service, every problem at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.counter.inquiry_models import InquiryChannel, InquiryKind
from app.counter.models import Category
from app.web.forms import DateField, NumberField, choices


class InquiryForm(FlaskForm):
    kind = SelectField("種別", choices=choices(InquiryKind.choices()))
    channel = SelectField("受付方法", choices=choices(InquiryChannel.choices()))
    received_at = DateTimeLocalField("受付日時", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    category = SelectField("分類", choices=choices(Category.choices()))
    procedure_code = SelectField("関係する手続", choices=[], validate_choice=False)
    question = TextAreaField("内容", validators=[Length(max=4000)])
    answer = TextAreaField("回答した内容", validators=[Length(max=4000)])
    handling = TextAreaField("対応の経過（苦情）", validators=[Length(max=4000)])
    handed_to_city = BooleanField("市職員へ引き継いだ")
    handed_to = StringField("引継ぎ先（市の課・職員）", validators=[Length(max=100)])
    minutes = NumberField("対応時間（分）", validators=[Optional()])


class ComplaintAnswerForm(FlaskForm):
    handling = TextAreaField("対応の経過", validators=[Length(max=4000)])
    answer = TextAreaField("回答した内容", validators=[Length(max=4000)])


class InquirySearchForm(FlaskForm):
    class Meta:
        csrf = False

    text = StringField("語句", validators=[Length(max=100)])
    kind = SelectField("種別", choices=choices([("", "すべて"), *InquiryKind.choices()]))
    channel = SelectField("受付方法", choices=choices([("", "すべて"), *InquiryChannel.choices()]))
    category = SelectField("分類", choices=choices([("", "すべて"), *Category.choices()]))
    first = DateField("期間（から）", validators=[Optional()])
    last = DateField("期間（まで）", validators=[Optional()])
    open_only = BooleanField("未回答の苦情のみ")
