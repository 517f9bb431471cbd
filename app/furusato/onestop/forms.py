"""Forms of the one-stop pages (issue 17)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.onestop import documents
from app.furusato.onestop.models import DeficiencyReason, NoticeKind, NoticeMethod
from app.web.forms import CheckboxList, CodeField, DateField, FoldedLength, NumberField, choices, in_integer_range


def document_choices() -> list:
    return choices(documents.labels().items())


class IntakeForm(FlaskForm):
    """A paper 申告特例申請書 as typed (the scanned page attached)."""

    tax_year = NumberField("寄附の年", validators=[Optional(), in_integer_range(2008)])
    received_on = DateField("到着日", validators=[Optional()])
    name = StringField("氏名", validators=[Optional(), FoldedLength(max=100)])
    kana = StringField("フリガナ", validators=[Optional(), FoldedLength(max=100)])
    birth_date = DateField("生年月日", validators=[Optional()])
    gender = SelectField("性別", choices=choices([("", "記載なし"), ("男", "男"), ("女", "女")]), default="")
    postal_code = CodeField("郵便番号", validators=[Optional(), Length(max=8)])
    address = StringField("住所", validators=[Optional(), FoldedLength(max=300)])
    phone = CodeField("電話番号", validators=[Optional(), Length(max=20)])
    email = StringField("メールアドレス", validators=[Optional(), Length(max=254)])
    number = CodeField("個人番号（12桁）", validators=[Optional(), Length(max=20)],
                       render_kw={"autocomplete": "off", "inputmode": "numeric"})
    documents = CheckboxList("添付書類", choices=document_choices(), validate_choice=False)
    declared_no_return = BooleanField("「確定申告の不要な給与所得者等」にチェックがある")
    declared_five_or_fewer = BooleanField("「寄附先が5団体以下」にチェックがある")
    form_complete = BooleanField("記載事項がそろっている（署名・日付を含む）")
    image = FileField("申請書の画像（PDF・JPEG・PNG）")


class DeficientForm(FlaskForm):
    reason = SelectField("不備の理由", choices=choices([("", "選んでください"), *DeficiencyReason.choices()]),
                         default="")
    note = TextAreaField("補足（通知に載ります）", validators=[Optional(), Length(max=500)])


class CorrectionForm(FlaskForm):
    """The donor's corrected papers."""

    documents = CheckboxList("届いた書類", choices=document_choices(), validate_choice=False)
    form_complete = BooleanField("記載事項がそろった")
    declarations = BooleanField("申告特例の要件へのチェックがそろった")


class ChangeForm(FlaskForm):
    """申告特例申請事項変更届出書 (blank fields are unchanged)."""

    received_on = DateField("到着日", validators=[Optional()])
    name = StringField("新しい氏名", validators=[Optional(), FoldedLength(max=100)])
    postal_code = CodeField("新しい郵便番号", validators=[Optional(), Length(max=8)])
    address = StringField("新しい住所", validators=[Optional(), FoldedLength(max=300)])
    phone = CodeField("新しい電話番号", validators=[Optional(), Length(max=20)])
    email = StringField("新しいメールアドレス", validators=[Optional(), Length(max=254)])


class WithdrawForm(FlaskForm):
    received_on = DateField("連絡のあった日", validators=[Optional()])
    note = StringField("経緯", validators=[Optional(), Length(max=200)])


class RevealForm(FlaskForm):
    reason = StringField("表示する理由", validators=[Optional(), Length(max=200)])


class MatchForm(FlaskForm):
    donor_id = NumberField("寄附者番号", validators=[Optional(), in_integer_range(1)])
    donations = StringField("寄附番号（カンマ区切り）", validators=[Optional(), Length(max=200)])


class NoticeForm(FlaskForm):
    kind = SelectField("通知", choices=choices(NoticeKind.choices()))
    method = SelectField("送付方法", choices=choices(NoticeMethod.choices()))
    ids = StringField("申請番号（カンマ区切り、空欄は対象のすべて）", validators=[Optional(), Length(max=2000)])


class EltaxForm(FlaskForm):
    year = NumberField("寄附の年", validators=[Optional(), in_integer_range(2008)])


class HandoverForm(FlaskForm):
    how = StringField("引渡しの方法（eLTAX、電子媒体など）", validators=[Optional(), Length(max=100)])


class OnlineImportForm(FlaskForm):
    """An online-application service's file (004 §7(11)オ), read through the chosen profile."""

    profile = SelectField("取込設定", validate_choice=False)
    file = FileField("オンライン申請のファイル（CSV）", validators=[FileRequired("ファイルを選んでください。")])
