"""Forms of the donation programme (labels are what staff see)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.furusato.batch_models import OneStopFilter
from app.furusato.imports import ENCODINGS
from app.furusato.intake_rules import INTAKE_STATES
from app.furusato.models import (
    INTAKE_CHANNELS,
    ContactMethod,
    CorrectionSource,
    DonationState,
    PaymentMethod,
    SuspectReason,
)
from app.furusato.returns_models import ReturnOutcome, ReturnReason
from app.furusato.search import AMOUNT_BANDS, EXPORT_ENCODINGS, PREFECTURES
from app.web.forms import CodeField, DateField, DecimalNumberField, FoldedLength, NumberField, choices, in_integer_range

REQUIRED = "必須項目です。"
INTAKE = [(c.value, c.label) for c in INTAKE_CHANNELS]
SOURCES = [(s.value, s.label) for s in CorrectionSource if s is not CorrectionSource.import_]


class UploadForm(FlaskForm):
    portal = SelectField("ポータル", validate_choice=False)
    file = FileField("ファイル（CSV・TSV）", validators=[FileRequired("ファイルを選んでください。")])
    encoding = SelectField("文字コード", choices=choices([("", "自動判別"), *ENCODINGS.items()]), default="")


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    date_from = DateField("申込日（から）", validators=[Optional()])
    date_to = DateField("申込日（まで）", validators=[Optional()])
    portal = SelectField("ポータル", validate_choice=False, default="")
    gift = StringField("返礼品（コード・名称）", validators=[Optional(), Length(max=100)])
    prefecture = SelectField("都道府県", choices=choices([("", "すべて"), *((p, p) for p in PREFECTURES)]),
                             default="")
    amount_band = SelectField("金額帯", default="",
                              choices=choices([("", "すべて"), *((k, v[0]) for k, v in AMOUNT_BANDS.items())]))
    status = SelectField("入金状況", choices=choices([("", "すべて"), *DonationState.choices()]), default="")
    one_stop = SelectField("ワンストップ特例", default="",
                           choices=choices([("", "すべて"), ("yes", "希望あり"), ("no", "希望なし")]))
    text = StringField("氏名・フリガナ・注文番号", validators=[Optional(), Length(max=100)])


class ExportForm(FlaskForm):
    class Meta:
        csrf = False

    export_encoding = SelectField("出力の文字コード", choices=choices(EXPORT_ENCODINGS.items()), default="utf-8-sig")


class DonationForm(FlaskForm):
    """電話・FAX・窓口の寄附受付 (004 §7(1)ア)."""

    channel = SelectField("受付方法", choices=choices(INTAKE))
    applied_on = DateField("申込日", validators=[DataRequired("申込日を入力してください。")])
    amount = NumberField("寄附金額（円）", validators=[DataRequired("寄附金額を入力してください。"),
                                                    in_integer_range()])
    payment_method = SelectField("決済方法", choices=choices(PaymentMethod.choices()), default="postal")
    # 入金済 only with the payment itself (収納日 and 入金額 below; the method is 決済方法).
    status = SelectField("入金状況", choices=choices((s.value, s.label) for s in INTAKE_STATES), default="unpaid")
    paid_on = DateField("収納日（入金済の場合）", validators=[Optional()])
    paid_amount = NumberField("入金額（入金済の場合）", validators=[Optional(), in_integer_range()])
    use = SelectField("寄附の使い道", validate_choice=False, default="")
    gift_code = SelectField("返礼品", validate_choice=False, default="")
    quantity = NumberField("数量", validators=[Optional(), in_integer_range()], default=1)
    one_stop = BooleanField("ワンストップ特例を希望する")
    receipt_wish = BooleanField("寄附金受領証明書を希望する", default=True)
    name = StringField("氏名", validators=[DataRequired(REQUIRED), FoldedLength(max=100)])
    kana = StringField("フリガナ", validators=[DataRequired(REQUIRED), FoldedLength(max=100)])
    birth_date = DateField("生年月日", validators=[Optional()])
    phone = CodeField("電話番号", validators=[DataRequired(REQUIRED), FoldedLength(max=20)])
    email = StringField("メールアドレス", validators=[Optional(), FoldedLength(max=254)])
    postal_code = CodeField("郵便番号", validators=[DataRequired(REQUIRED), FoldedLength(max=8)])
    address = StringField("住所", validators=[DataRequired(REQUIRED), FoldedLength(max=300)])
    notes = TextAreaField("備考", validators=[Optional(), Length(max=2000)])


class CorrectionForm(FlaskForm):
    """寄附者からの修正依頼・職員による補正 (004 §7(1)イ, エ)."""

    name = StringField("氏名", validators=[DataRequired(REQUIRED), FoldedLength(max=100)])
    kana = StringField("フリガナ", validators=[DataRequired(REQUIRED), FoldedLength(max=100)])
    birth_date = DateField("生年月日", validators=[Optional()])
    phone = CodeField("電話番号", validators=[DataRequired(REQUIRED), FoldedLength(max=20)])
    email = StringField("メールアドレス", validators=[Optional(), FoldedLength(max=254)])
    postal_code = CodeField("郵便番号", validators=[DataRequired(REQUIRED), FoldedLength(max=8)])
    address = StringField("住所", validators=[DataRequired(REQUIRED), FoldedLength(max=300)])
    gift_code = SelectField("返礼品", validate_choice=False, default="")
    quantity = NumberField("数量", validators=[Optional(), in_integer_range()], default=1)
    one_stop = BooleanField("ワンストップ特例を希望する")
    receipt_wish = BooleanField("寄附金受領証明書を希望する")
    notes = TextAreaField("備考", validators=[Optional(), Length(max=2000)])
    source = SelectField("依頼元", choices=choices(SOURCES))
    channel = SelectField("受付方法（寄附者からの依頼）", default="",
                          choices=choices([("", "―"), *INTAKE]))
    reason = TextAreaField("修正の理由", validators=[DataRequired("修正の理由を入力してください。"), Length(max=1000)])


class ContactForm(FlaskForm):
    method = SelectField("連絡方法", choices=choices(ContactMethod.choices()))
    result = TextAreaField("連絡の結果", validators=[DataRequired("連絡の結果を入力してください。"), Length(max=2000)])


class ClearForm(FlaskForm):
    note = TextAreaField("解消の内容", validators=[DataRequired("解消の内容を入力してください。"), Length(max=2000)])


class SuspectFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("状態", choices=choices([("open", "未解消"), ("cleared", "解消済"), ("", "すべて")]),
                         default="open")
    reason = SelectField("理由", choices=choices([("", "すべて"), *SuspectReason.choices()]), default="")


class MergeForm(FlaskForm):
    target = NumberField("統合先の寄附者ID", validators=[DataRequired("統合先を選んでください。"), in_integer_range()])
    source = NumberField("統合する寄附者ID", validators=[DataRequired("統合する寄附者を選んでください。"),
                                                    in_integer_range()])
    reason = StringField("統合の理由", validators=[DataRequired("統合の理由を入力してください。"), Length(max=500)])


class DismissForm(FlaskForm):
    a = NumberField("寄附者A", validators=[DataRequired(), in_integer_range()])
    b = NumberField("寄附者B", validators=[DataRequired(), in_integer_range()])


class CatalogForm(FlaskForm):
    """カタログ送付希望 (004 §7(1)ウ)."""

    channel = SelectField("受付方法", choices=choices(INTAKE))
    name = StringField("氏名", validators=[DataRequired(REQUIRED), FoldedLength(max=100)])
    kana = StringField("フリガナ", validators=[Optional(), FoldedLength(max=100)])
    postal_code = CodeField("郵便番号", validators=[DataRequired(REQUIRED), FoldedLength(max=8)])
    address = StringField("住所", validators=[DataRequired(REQUIRED), FoldedLength(max=300)])
    phone = CodeField("電話番号", validators=[Optional(), FoldedLength(max=20)])
    note = StringField("備考", validators=[Optional(), Length(max=500)])


class SettingsForm(FlaskForm):
    home_prefecture = StringField("都道府県", validators=[DataRequired(REQUIRED), Length(max=4)])
    home_city = StringField("市区町村（日本郵便の表記）", validators=[DataRequired(REQUIRED), Length(max=50)])
    home_postal_prefixes = CodeField("郵便番号の先頭（カンマ区切り、任意）", validators=[Optional(), Length(max=200)])


class ExportRequestForm(FlaskForm):
    """出力申請 (000 別紙 §8(2)): the purpose; the scope is the search, carried in hidden fields."""

    purpose = TextAreaField("出力の目的", validators=[Length(max=500)])
    export_encoding = SelectField("出力の文字コード", choices=choices(EXPORT_ENCODINGS.items()), default="utf-8-sig")


class RefuseExportForm(FlaskForm):
    reason = TextAreaField("却下の理由", validators=[Length(max=500)])


class PaymentForm(FlaskForm):
    """入金の記録・訂正 (issue 16 §1): the reason is asked only when a payment is corrected."""

    received_on = DateField("収納日", validators=[Optional()])
    amount = NumberField("入金額（円）", validators=[Optional(), in_integer_range()])
    method = SelectField("入金方法", choices=choices([("", "選んでください"), *PaymentMethod.choices()]), default="")
    reason = TextAreaField("訂正の理由", validators=[Optional(), Length(max=1000)])


class CertificateBatchForm(FlaskForm):
    """受領証明書の印刷バッチ (issue 16 §3): which of the certificates due it takes."""

    portal = SelectField("ポータル", validate_choice=False, default="")
    paid_from = DateField("収納日（から）", validators=[Optional()])
    paid_to = DateField("収納日（まで）", validators=[Optional()])
    due_by = DateField("発送期限（この日まで）", validators=[Optional()])
    one_stop = SelectField("ワンストップ特例申請書", default="", validate_choice=False,
                           choices=choices([("", "指定なし"), *OneStopFilter.choices()]))


class ReturnForm(FlaskForm):
    """郵便物の戻り (issue 16 §4): the number as scanned or typed, in any width."""

    certificate = CodeField("証明書番号", validators=[Length(max=40)],
                            render_kw={"autocomplete": "off", "placeholder": "2026年度 第123号"})
    fiscal_year = NumberField("年度（番号だけを入力するとき）", validators=[Optional(), in_integer_range(1)])
    reason = SelectField("戻りの理由", choices=choices([("", "選んでください"), *ReturnReason.choices()]), default="")
    reason_note = StringField("理由（その他のとき）", validators=[Optional(), Length(max=200)])


class ReturnOutcomeForm(FlaskForm):
    """The follow-up call's outcome: the address as the donor confirmed it, or why no resend."""

    outcome = SelectField("対応の結果", choices=choices([("", "選んでください"), *ReturnOutcome.choices()]),
                          default="")
    postal_code = CodeField("郵便番号（訂正後）", validators=[Optional(), Length(max=8)])
    address = StringField("住所（訂正後）", validators=[Optional(), FoldedLength(max=300)])
    note = TextAreaField("経緯・備考", validators=[Optional(), Length(max=1000)])


class LetterForm(FlaskForm):
    """お礼状の文面 of a fiscal year; the placeholders are checked by the service."""

    fiscal_year = NumberField("年度", validators=[DataRequired("年度を入力してください。"), in_integer_range(2000)])
    title = StringField("表題", validators=[Length(max=100)])
    body = TextAreaField("本文", render_kw={"rows": 14})


class EnvelopeLayoutForm(FlaskForm):
    """Where the address block prints (mm from the sheet's top-left corner)."""

    address_left_mm = DecimalNumberField("宛名の位置：用紙の左端から（mm）")
    address_top_mm = DecimalNumberField("宛名の位置：用紙の上端から（mm）")
    office_name = StringField("問い合わせ先の担当名", validators=[Length(max=100)])
    office_phone = CodeField("問い合わせ先の電話番号", validators=[Length(max=20)])


class WaitForm(FlaskForm):
    """申込 → 入金待ち (issue 16 §1)."""

    reason = StringField("メモ（任意）", validators=[Optional(), Length(max=500)])


class CancelForm(FlaskForm):
    """キャンセル of a donation no money came in for: the reason is required (the service says so)."""

    reason = TextAreaField("キャンセルの理由", validators=[Optional(), Length(max=1000)])


class RefundForm(FlaskForm):
    """返金 of money that came in: amount, date and reason."""

    refund_amount = NumberField("返金額（円）", validators=[Optional(), in_integer_range()])
    refunded_on = DateField("返金日", validators=[Optional()])
    reason = TextAreaField("返金の理由", validators=[Optional(), Length(max=1000)])


class ReverseForm(FlaskForm):
    """取消 of the last status change, by a supervisor."""

    reason = TextAreaField("取消の理由", validators=[Optional(), Length(max=1000)])


class UseForm(FlaskForm):
    """寄附の使い道: one use of a fiscal year (the year is the page's)."""

    name = StringField("使い道の名称", validators=[Optional(), FoldedLength(max=200)])
    sort_order = NumberField("表示順", validators=[Optional(), in_integer_range()])
    active = BooleanField("受付で選べる", default=True)


class CopyUsesForm(FlaskForm):
    source = NumberField("コピー元の年度", validators=[Optional(), in_integer_range()])


class TransferUploadForm(FlaskForm):
    """入金照合: a bank's or ゆうちょ's statement of transfers (issue 16 §1)."""

    profile = SelectField("明細の種類", validate_choice=False)
    file = FileField("ファイル（CSV）", validators=[FileRequired("ファイルを選んでください。")])


class TransferChoiceForm(FlaskForm):
    donation = NumberField("充当する寄附", validators=[Optional()])


class TransferExcludeForm(FlaskForm):
    reason = TextAreaField("対象外とする理由", validators=[Optional(), Length(max=1000)])
