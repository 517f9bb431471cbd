"""Forms of the gift master and of shipping (issue 18)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from app.furusato.gifts.models import UndertakingKind
from app.furusato.models import GiftState, ShippingClass
from app.furusato.shipping import carriers
from app.furusato.shipping.models import ProblemKind, TimeBand
from app.web.forms import CheckboxList, CodeField, DateField, NumberField, choices

WEEKDAYS = (("0", "月"), ("1", "火"), ("2", "水"), ("3", "木"), ("4", "金"), ("5", "土"), ("6", "日"))


class SupplierForm(FlaskForm):
    code = CodeField("事業者コード", validators=[Length(max=20)])
    name = StringField("事業者名", validators=[Length(max=100)])
    postal_code = CodeField("郵便番号", validators=[Length(max=8)])
    address = StringField("所在地", validators=[Length(max=300)])
    contact = StringField("担当者", validators=[Length(max=100)])
    phone = CodeField("電話番号", validators=[Length(max=20)])
    email = StringField("メールアドレス", validators=[Length(max=254)])
    bank = StringField("振込先（金融機関・支店・種別・口座番号・名義）", validators=[Length(max=200)])
    order_weekdays = CheckboxList("発注日（週2回以上）", choices=choices(WEEKDAYS), default=["0", "3"])
    fewer_orders_approved = BooleanField("市承認の例外（週2回未満の発注）")
    carrier = SelectField("配送業者（送り状データの形式）", choices=choices(carriers.choices()),
                          default=carriers.DEFAULT)


class UndertakingForm(FlaskForm):
    kind = SelectField("誓約の種類", choices=choices(UndertakingKind.choices()))
    signed_on = DateField("誓約日", validators=[Optional()])
    valid_until = DateField("有効期限", validators=[Optional()])
    document = FileField("誓約書（PDF・PNG・JPEG）", validators=[FileRequired("誓約書のファイルを選んでください。")])


class GiftForm(FlaskForm):
    code = CodeField("返礼品コード", validators=[Length(max=40)])
    name = StringField("返礼品名", validators=[Length(max=200)])
    amount = NumberField("寄附金額（円）", validators=[Optional()])
    cost = NumberField("調達費（梱包・送料・消費税込、円）", validators=[Optional()])
    supplier_code = SelectField("返礼品提供事業者", validate_choice=False)
    shipping_class = SelectField("温度帯", choices=choices(ShippingClass.choices()))
    size = NumberField("サイズ", validators=[Optional()], default=60)
    lead_days = NumberField("発注から出荷までの日数", validators=[Optional()], default=7)
    season_from = DateField("受付期間（から）", validators=[Optional()])
    season_to = DateField("受付期間（まで）", validators=[Optional()])
    local_category = StringField("地場産品基準の類型", validators=[Length(max=100)])
    local_evidence = TextAreaField("地場産品であることの根拠", validators=[Length(max=2000)])
    portal_codes = TextAreaField("ポータル別コード（1行に「ポータル=コード」）", validators=[Length(max=1000)])


class GiftStateForm(FlaskForm):
    state = SelectField("状態", choices=choices(GiftState.choices()))
    note = StringField("メモ", validators=[Length(max=200)])


class GiftCsvForm(FlaskForm):
    file = FileField("返礼品CSV", validators=[FileRequired("ファイルを選んでください。")])


class AllocationForm(FlaskForm):
    portal = SelectField("ポータル", validate_choice=False)
    allocated = NumberField("配分数", validators=[Optional()])


class MoveForm(FlaskForm):
    source = SelectField("移動元", validate_choice=False)
    target = SelectField("移動先", validate_choice=False)
    count = NumberField("移動する数", validators=[Optional()])


class TrackingForm(FlaskForm):
    carrier = SelectField("配送業者", choices=choices(carriers.choices()), default=carriers.DEFAULT)
    file = FileField("出荷実績CSV（B2クラウドの発行済データ）・各社の出荷実績",
                     validators=[FileRequired("ファイルを選んでください。")])


class PreOperationForm(FlaskForm):
    file = FileField("運用開始前の寄附のCSV（前の事業者の未発送一覧）",
                     validators=[FileRequired("ファイルを選んでください。")])


class PreOperationConfirmForm(FlaskForm):
    content = HiddenField()  # the previewed file (base64), taken only as a whole


class ShipToForm(FlaskForm):
    name = StringField("お届け先氏名", validators=[Length(max=100)])
    postal_code = CodeField("郵便番号", validators=[Length(max=8)])
    address = StringField("住所", validators=[Length(max=300)])
    building = StringField("建物名", validators=[Length(max=100)])
    phone = CodeField("電話番号", validators=[Length(max=20)])
    wish_date = DateField("お届け希望日", validators=[Optional()])
    time_band = SelectField("配達時間帯", choices=choices([("", "指定なし"), *TimeBand.choices()]), default="")


class ProblemForm(FlaskForm):
    kind = SelectField("種類", choices=choices(ProblemKind.choices()))
    detail = TextAreaField("内容", validators=[Length(max=2000)])
    donor_contact = TextAreaField("寄附者への連絡（日時・方法・内容）", validators=[Length(max=2000)])
    supplier_answer = TextAreaField("事業者の回答", validators=[Length(max=2000)])
    complaint = BooleanField("苦情として市へ報告する")
    reship = BooleanField("再送する（次の発注に入ります）")


class MailTemplateForm(FlaskForm):
    subject = StringField("件名", validators=[Length(max=200)])
    body = TextAreaField("本文（{name} {gift} {tracking} {ship_on} を差し込めます）", validators=[Length(max=5000)])
