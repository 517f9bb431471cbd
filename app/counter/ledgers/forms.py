"""Forms of the counter's ledgers; what is required is said by the services, all at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.counter.ledgers.models import ChangeForm
from app.web.forms import CodeField, DateField, NumberField, choices, in_integer_range


class PlateForm(FlaskForm):
    number = StringField("番号標の番号", validators=[Length(max=20)])  # spaces kept: 「山彦 臨 301」


class PermitForm(FlaskForm):
    plate_id = SelectField("貸与する番号標", coerce=lambda v: int(v) if v not in ("", None) else None)
    applicant_name = StringField("申請者の氏名・名称", validators=[Length(max=100)])
    applicant_address = StringField("申請者の住所", validators=[Length(max=200)])
    vehicle_name = StringField("車名", validators=[Length(max=60)])
    chassis_number = CodeField("車台番号", validators=[Length(max=40)])
    purpose = StringField("運行の目的", validators=[Length(max=200)])
    route = StringField("運行の経路", validators=[Length(max=200)])
    period_from = DateField("有効期間（初日）", validators=[Optional()])
    period_to = DateField("有効期間（末日）", validators=[Optional()])


class PermitReturnForm(FlaskForm):
    returned_on = DateField("返納日", validators=[Optional()])
    returned_by_name = StringField("返納した方の氏名", validators=[Length(max=100)])


class PostalRequestForm(FlaskForm):
    received_on = DateField("受付日（到着日）", validators=[Optional()])
    requester_name = StringField("請求者の氏名", validators=[Length(max=100)])
    requester_address = StringField("請求者の住所（返送先）", validators=[Length(max=200)])
    procedure_code = SelectField("請求された証明書")
    copies = NumberField("通数", validators=[Optional(), in_integer_range(1)])
    money_order_amount = NumberField("同封の定額小為替（額面の合計・円）", validators=[Optional(), in_integer_range(0)])
    money_order_count = NumberField("定額小為替の枚数", validators=[Optional(), in_integer_range(0)])
    money_order_numbers = CodeField("定額小為替の記号番号", validators=[Optional(), Length(max=200)])
    reply_envelope = BooleanField("返信用封筒（切手貼付）あり", default=True)
    note = TextAreaField("備考", validators=[Optional(), Length(max=1000)])


class MailingForm(FlaskForm):
    mailed_on = DateField("発送日", validators=[Optional()])
    change_form = SelectField("おつりの返し方", choices=choices(ChangeForm.choices()), default=ChangeForm.none)
