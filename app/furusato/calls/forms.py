"""Forms of the call centre."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.calls.models import CallerKind, InquiryCategory, InquiryChannel, InquiryState
from app.web.forms import DateField, FoldedLength, NumberField, choices


class InquiryForm(FlaskForm):
    channel = SelectField("受付方法", choices=choices(InquiryChannel.choices()), default=InquiryChannel.phone)
    caller_kind = SelectField("相手", choices=choices(CallerKind.choices()), default=CallerKind.donor)
    caller_name = StringField("相手の氏名・事業者名", validators=[Optional(), FoldedLength(max=100)])
    caller_contact = StringField("連絡先（電話・メール）", validators=[Optional(), FoldedLength(max=254)])
    donor_id = NumberField("寄附者番号", validators=[Optional()])
    category = SelectField("分類", choices=choices([("", "選んでください"), *InquiryCategory.choices()]), default="")
    said = TextAreaField("問い合わせの内容", validators=[Optional(), Length(max=4000)])
    done = TextAreaField("対応の内容", validators=[Optional(), Length(max=4000)])
    state = SelectField("状態", choices=choices(InquiryState.choices()), default=InquiryState.open)
    follow_up_on = DateField("折り返しの日", validators=[Optional()])


class FollowUpForm(FlaskForm):
    donor_id = NumberField("寄附者番号", validators=[Optional()])
    done = TextAreaField("対応の内容", validators=[Optional(), Length(max=4000)])
    state = SelectField("状態", choices=choices(InquiryState.choices()))
    follow_up_on = DateField("折り返しの日", validators=[Optional()])
