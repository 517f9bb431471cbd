"""Forms of the call centre."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.calls.models import CallerKind, InquiryCategory, InquiryChannel, InquiryState
from app.furusato.shipping.models import ProblemKind
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
    # A complaint about a gift (苦情): the donor's line it is about, and what went wrong. The
    # choices are the matched donor's lines (set by the view).
    shipment_line_id = SelectField("苦情の対象の出荷明細（返礼品の苦情のとき）", choices=choices([("", "選ばない")]),
                                   validate_choice=False, default="")
    problem_kind = SelectField("苦情の種類", choices=choices([("", "選んでください"), *ProblemKind.choices()]),
                               default="")


class FollowUpForm(FlaskForm):
    donor_id = NumberField("寄附者番号", validators=[Optional()])
    done = TextAreaField("対応の内容", validators=[Optional(), Length(max=4000)])
    state = SelectField("状態", choices=choices(InquiryState.choices()))
    follow_up_on = DateField("折り返しの日", validators=[Optional()])
