from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core.models import DEPARTMENTS
from app.counter import catalog
from app.counter.models import CaseState, IdentityLevel, RequesterKind, ThirdPartyReason
from app.web.forms import CheckboxList, CodeField, DateField, choices


class ReceptionForm(FlaskForm):
    visitor_name = StringField("来庁者の氏名（カードを読み取るときは不要）", validators=[Optional(), Length(max=100)])
    procedures = CheckboxList("手続（複数選べます）", validators=[DataRequired("手続を1つ以上選んでください。")])


class CheckForm(FlaskForm):
    """The 確認 step (000 §6(1)①ア〜エ): who asks, what was seen."""

    requester_kind = SelectField("請求者の区分", choices=choices(RequesterKind.choices()))
    requester_name = StringField("請求者・届出者の氏名", validators=[DataRequired("氏名を入力してください。"),
                                                          Length(max=100)])
    requester_kana = StringField("氏名（カナ）", validators=[Optional(), Length(max=100)])
    requester_birth_date = DateField("生年月日", validators=[Optional()])
    requester_address = StringField("住所", validators=[Optional(), Length(max=200)])
    requester_phone = CodeField("電話番号", validators=[Optional(), Length(max=30)])
    identity_docs = CheckboxList("本人確認で確認した書類")
    identity_alternative_used = BooleanField("書類が足りないため照会書による確認とする（手続が認める場合）")
    power_of_attorney = BooleanField("委任状を確認した（代理人の場合）")
    third_party_reason_kind = SelectField("請求事由の区分（第三者の場合）", default="",
                                          choices=choices([("", "—"), *ThirdPartyReason.choices()]))
    third_party_reason = TextAreaField("請求事由（具体的に）", validators=[Optional(), Length(max=2000)])
    third_party_documents = TextAreaField("疎明資料（確認した資料）", validators=[Optional(), Length(max=2000)])
    official_office = StringField("請求機関の名称（公用の場合）", validators=[Optional(), Length(max=100)])
    official_basis = StringField("法令の根拠（公用の場合）", validators=[Optional(), Length(max=200)])
    content_checked = BooleanField("請求書・届書の記載内容を点検した")
    documents_checked = CheckboxList("必要書類の確認")

    def set_choices(self, documents: list[str]) -> None:
        labels = catalog.identity_documents()
        docs = [(code, f"{label}（写真付き）") for code, label in labels["photo"].items()]
        docs += [(code, label) for group in ("other", "card") for code, label in labels.get(group, {}).items()]
        self.identity_docs.choices = choices(docs)
        self.documents_checked.choices = choices((d, d) for d in documents)


class CaseSearchForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField("受付日（から）", validators=[Optional()])
    date_to = DateField("受付日（まで）", validators=[Optional()])
    state = SelectField("状態", choices=choices([("", "すべて"), *CaseState.choices()]), validators=[Optional()])
    procedure = SelectField("手続", validators=[Optional()])
    person = StringField("請求者の氏名・カナ", validators=[Optional(), Length(max=100)])


class ProcedureForm(FlaskForm):
    name = StringField("手続名", validators=[DataRequired("手続名を入力してください。"), Length(max=100)])
    department = SelectField("担当課", choices=choices(DEPARTMENTS.items()))
    ticket_category = StringField("発券区分", validators=[DataRequired("発券区分を入力してください。"), Length(max=30)])
    applicants = CheckboxList("受付できる請求者", choices=choices(RequesterKind.choices()))
    identity = SelectField("本人確認", choices=choices(IdentityLevel.choices()))
    documents = TextAreaField("必要書類（1行に1つ）", validators=[Optional()])
    handover = TextAreaField("交付・お渡しするもの（1行に1つ）", validators=[Optional()])
    fee_code = SelectField("手数料コード")
    review_required = BooleanField("市職員の審査を要する（000 §7(2)）")
    active = BooleanField("使用中")
