"""Forms of the bereavement corner. What is required is said by the services, every problem
at once; the questionnaire's questions are data (rules.yaml) and become check boxes here."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.bereavement import derive
from app.web.forms import CodeField, DateField, NumberField


class SlotForm(FlaskForm):
    day = DateField("日付", validators=[Optional()])
    times = StringField("開始時刻（空白区切り）", validators=[Length(max=200)], default="10:00 13:30 15:00")
    minutes = NumberField("所要時間（分）", validators=[Optional()], default=60)


class BookingForm(FlaskForm):
    slot_id = SelectField("予約枠", coerce=lambda v: int(v) if str(v).isdigit() else None, validate_choice=False)
    deceased_name = StringField("亡くなった方の氏名", validators=[Length(max=100)])
    deceased_kana = StringField("亡くなった方のフリガナ", validators=[Length(max=100)])
    deceased_birth_date = DateField("亡くなった方の生年月日", validators=[Optional()])
    died_on = DateField("亡くなった日", validators=[Optional()])
    family_name = StringField("ご家族（来庁される方）の氏名", validators=[Length(max=100)])
    family_relationship = StringField("亡くなった方との続柄", validators=[Length(max=20)])
    family_phone = CodeField("連絡先電話番号", validators=[Length(max=30)])


class AnswersForm(FlaskForm):
    """Only the questionnaire (at the counter, after the reservation)."""


class HandoverForm(FlaskForm):
    explained = TextAreaField("ご家族に説明した内容", validators=[Length(max=2000)])


class EmptyForm(FlaskForm):
    """A button: the CSRF token only."""


def with_questions(form_class: type[FlaskForm], keys: list[str] | None = None) -> type[FlaskForm]:
    """The form with a check box per question of the questionnaire (`keys`: only those)."""
    fields: dict[str, Any] = {f"q_{q['key']}": BooleanField(q["label"]) for q in derive.questions()
                              if keys is None or q["key"] in keys}
    return type(form_class.__name__, (form_class,), fields)


def answers_of(form: FlaskForm) -> dict[str, bool]:
    return {name[2:]: bool(form[name].data) for name in form._fields if name.startswith("q_")}
