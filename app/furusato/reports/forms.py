"""Forms of the monthly report, the analytics page and the strategy meetings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.web.forms import DateField, FoldedLength, choices


class MonthForm(FlaskForm):
    month = StringField("対象の月（例：2026-11）", validators=[Optional(), Length(max=7)])


class InspectForm(FlaskForm):
    decision = SelectField("検査の結果", choices=choices([("pass", "検査済みにする"), ("return", "差し戻す")]),
                           default="pass")
    note = TextAreaField("所見・差戻しの理由", validators=[Optional(), Length(max=2000)])


class AnalyticsForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    date_from = DateField("期間（から）", validators=[Optional()])
    date_to = DateField("期間（まで）", validators=[Optional()])
    portal = SelectField("ポータル", validate_choice=False, default="")


class MeetingForm(FlaskForm):
    held_on = DateField("開催日", validators=[Optional()])
    title = StringField("件名", validators=[Optional(), FoldedLength(max=200)])
    attendees = TextAreaField("出席者（市・受託者）", validators=[Optional(), Length(max=2000)])
    decisions = TextAreaField("決定事項", validators=[Optional(), Length(max=4000)])
    actions = TextAreaField("対応（担当・期限）", validators=[Optional(), Length(max=4000)])
