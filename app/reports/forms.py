"""Forms of the report pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class MonthForm(FlaskForm):
    month = StringField("対象月（YYYY-MM）", validators=[DataRequired("対象月を入力してください。"), Length(max=10)])


class RemarksForm(FlaskForm):
    remarks = TextAreaField("改善を要する事項", validators=[Optional(), Length(max=4000)])


class InspectionForm(FlaskForm):
    note = TextAreaField("検査の所見", validators=[Optional(), Length(max=2000)])


class RosterAssignForm(FlaskForm):
    """Place a person on a counter for a day; the choices are set by the page, the service
    checks every value (so all problems show at once)."""

    day = SelectField("日付", validate_choice=False)
    staff = SelectField("従事者", validate_choice=False)
    counter = SelectField("窓口", validate_choice=False)


class WorkPlanCreateForm(FlaskForm):
    starts = StringField("計画期間の始まりの月（YYYY-MM、奇数月）",
                         validators=[DataRequired("計画期間の始まりの月を入力してください。"), Length(max=10)])


class WorkPlanForm(FlaskForm):
    """The contractor's text per section of the 業務計画書; the service checks every value (so all
    problems show at once)."""

    target_wait = StringField("目標平均待ち時間（分）")
    staffing = TextAreaField("実施体制（窓口・従事者・時間）")
    demand = TextAreaField("来庁見込み（曜日・時間帯別）")
    training = TextAreaField("研修計画")
    improvement = TextAreaField("業務改善の取組")
    other = TextAreaField("その他")


class WorkPlanDecisionForm(FlaskForm):
    note = TextAreaField("所見・差戻しの理由")
