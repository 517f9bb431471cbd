from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.register.models import CASHLESS_METHODS, DENOMINATIONS, PaymentMethod
from app.web.forms import CodeField, DateField, NumberField, choices, in_integer_range

REQUIRED = "必須項目です。"
WHOLE_YEN = "0以上の整数（円）で入力してください。"


class PaymentForm(FlaskForm):
    method = SelectField("支払方法", choices=choices(
        (m.value, m.label) for m in (PaymentMethod.cash, *CASHLESS_METHODS, PaymentMethod.postal_money_order)),
        default=PaymentMethod.cash)
    received = NumberField("お預かり金額（円）", validators=[Optional(), in_integer_range(0, WHOLE_YEN)])
    reference = CodeField("承認番号・取引番号（キャッシュレス）", validators=[Optional(), Length(max=60)])
    addressee = StringField("宛名（任意：お名前・会社名）", validators=[
        Optional(), Length(max=100, message="宛名は100文字以内で入力してください。")])
    idempotency_key = HiddenField()


class VoidRequestForm(FlaskForm):
    reason = TextAreaField("取消の理由", validators=[DataRequired("取消の理由を入力してください。"), Length(max=1000)])
    reopen_bill = BooleanField("請求を未収に戻して収納し直す（外すと返金し、案件は取下げ）", default=True)


class CancelBillForm(FlaskForm):
    cancel_reason = TextAreaField("請求取消の理由", validators=[
        DataRequired("請求取消の理由を入力してください。"), Length(max=1000)])


class ReopenForm(FlaskForm):
    reason = TextAreaField("再開の理由", validators=[DataRequired("再開の理由を入力してください。"), Length(max=1000)])


class FloatForm(FlaskForm):
    amount = NumberField("釣銭準備金（円）",
                          validators=[InputRequired(REQUIRED), in_integer_range(0, WHOLE_YEN)])


class RegisterChoiceForm(FlaskForm):
    terminal_id = SelectField("レジ", coerce=int)


class FeeForm(FlaskForm):
    code = CodeField("手数料コード", validators=[DataRequired(REQUIRED), Length(max=40)])
    label = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=60)])
    unit = StringField("単位", default="通", validators=[DataRequired(REQUIRED), Length(max=10)])
    amount = NumberField("金額（円）", validators=[InputRequired(REQUIRED), in_integer_range(0, WHOLE_YEN)])
    effective_from = DateField("適用開始日", validators=[DataRequired("日付を入力してください。")])


def denomination_label(denomination: int) -> str:
    kind = "札" if denomination >= 1000 else "硬貨"
    return f"{denomination:,}円{kind}（枚）"


class CloseForm(FlaskForm):
    """The cash count by denomination, the reason for any difference, the next day's float."""

    next_float = NumberField("翌日の釣銭準備金（円）",
                              validators=[InputRequired(REQUIRED), in_integer_range(0, WHOLE_YEN)])
    reason = TextAreaField("過不足の理由", validators=[Optional(), Length(max=1000)])
    confirmed = HiddenField()  # "1" once the cashier has seen what is still open and confirms

    def counts(self) -> dict[int, int | None]:
        return {d: self[f"count_{d}"].data for d in DENOMINATIONS}

    def count_fields(self) -> list[Any]:
        return [self[f"count_{d}"] for d in DENOMINATIONS]


for _denomination in DENOMINATIONS:
    setattr(CloseForm, f"count_{_denomination}", NumberField(
        denomination_label(_denomination), default=0,
        validators=[Optional(), NumberRange(min=0, max=100_000, message="0以上の枚数を入力してください。")]))
