"""Forms of the back-office ledgers; what is required is said by the services, all at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.counter.backoffice.house_numbers import ROLES
from app.counter.backoffice.models import CardKind, Destination, PassportKind, ReturnReason
from app.web.forms import CodeField, DateField, NumberField, choices, in_integer_range

PICK = [("", "選んでください")]


class PassportForm(FlaskForm):
    applicant_name = StringField("申請者の氏名", validators=[Length(max=100)])
    applicant_address = StringField("申請者の住所", validators=[Length(max=200)])
    kind = SelectField("旅券の種類", choices=choices(PICK + PassportKind.choices()))
    received_on = DateField("受付日", validators=[Optional()])
    note = TextAreaField("備考", validators=[Optional(), Length(max=1000)])


class StepForm(FlaskForm):
    day = DateField("日付", validators=[Optional()])
    issued_on = DateField("旅券の発行日", validators=[Optional()])
    identity_document = StringField("本人確認書類", validators=[Length(max=100)])


class NoticeForm(FlaskForm):
    block = StringField("町名・街区符号（例：山彦市本町一丁目3番）", validators=[Length(max=200)])
    number = CodeField("住居番号", validators=[Length(max=20)])
    building = StringField("建物の名称", validators=[Optional(), Length(max=200)])
    person_name = StringField("所有者・占有者の氏名", validators=[Length(max=100)])
    person_role = SelectField("区分", choices=choices(PICK + [(r, r) for r in ROLES]))
    applied_on = DateField("申請日", validators=[Optional()])
    issued_on = DateField("通知日", validators=[Optional()])


class HandedForm(FlaskForm):
    handed_on = DateField("引渡日", validators=[Optional()])


class ForwardingForm(FlaskForm):
    what = StringField("進達する書類・内容", validators=[Length(max=200)])
    person_name = StringField("対象者の氏名（任意）", validators=[Optional(), Length(max=100)])
    destination_kind = SelectField("進達先の区分", choices=choices(PICK + Destination.choices()))
    destination = StringField("進達先", validators=[Length(max=100)])
    sent_on = DateField("進達日", validators=[Optional()])
    due_on = DateField("回答期限", validators=[Optional()])


class ForwardingAnswerForm(FlaskForm):
    answered_on = DateField("回答日", validators=[Optional()])
    answer = TextAreaField("回答の内容", validators=[Length(max=2000)])


class CardForm(FlaskForm):
    kind = SelectField("証の種類", choices=choices(PICK + CardKind.choices()))
    person_name = StringField("被保険者の氏名", validators=[Length(max=100)])
    resident_id = NumberField("住民番号（住民記録との照合用・任意）", validators=[Optional(), in_integer_range(1)])
    mailed_address = StringField("送付先の住所", validators=[Length(max=200)])
    returned_on = DateField("返戻日", validators=[Optional()])
    reason = SelectField("返戻の理由", choices=choices(PICK + ReturnReason.choices()))


class CallForm(FlaskForm):
    called_on = DateField("連絡日", validators=[Optional()])
    call_note = StringField("連絡の結果", validators=[Length(max=200)])


class EndForm(FlaskForm):
    day = DateField("日付", validators=[Optional()])
    text = StringField("引渡先／廃棄の理由", validators=[Length(max=200)])
