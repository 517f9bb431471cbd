from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.seal.models import ApplicantKind, ApplicationKind, IdDocument, IdentityPath
from app.web.forms import CodeField, NumberField, choices

NO_DOCUMENT = [("", "（選択してください）")]
DOCUMENT_CHOICES = NO_DOCUMENT + IdDocument.choices()
ENDING_CHOICES = [(ApplicationKind.abolition.value, "廃止"), (ApplicationKind.loss.value, "印鑑登録証の亡失")]


class ApplicationForm(FlaskForm):
    """印鑑登録申請 for the applicant picked from the registry (their record fills the rest)."""

    resident_id = HiddenField(validators=[DataRequired("住民記録から申請者を選んでください。")])
    case_id = HiddenField()
    applicant_kind = SelectField("申請者", choices=choices(ApplicantKind.choices()))
    proxy_name = StringField("代理人氏名", validators=[Optional(), Length(max=100)])
    identity_path = SelectField("本人確認の方法", choices=choices(IdentityPath.choices()))
    id_document = SelectField("本人確認書類", choices=choices(DOCUMENT_CHOICES))


class UploadForm(FlaskForm):
    image = FileField("印影画像", validators=[FileRequired("画像ファイルを選んでください。")])
    dpi = NumberField("スキャン解像度（dpi）", default=600,
                       validators=[DataRequired("解像度を入力してください。"), NumberRange(min=50, max=4800)])


class ConfirmForm(FlaskForm):
    confirm_name = BooleanField("登録者の氏名（氏・名・その組合せ）を表している")
    confirm_not_rubber = BooleanField("ゴム印など変形しやすい材質ではない")
    confirm_no_title = BooleanField("職業・資格など氏名以外の事項を表していない")


class ReplyForm(FlaskForm):
    id_document = SelectField("回答書を持参した方の本人確認書類", choices=choices(DOCUMENT_CHOICES))


class ReturnForm(FlaskForm):
    reason = TextAreaField("差戻しの理由", validators=[DataRequired("差戻しの理由を入力してください。"),
                                                  Length(max=1000)])


class AbolitionForm(FlaskForm):
    case_id = HiddenField()
    kind = SelectField("届出の種類", choices=choices(ENDING_CHOICES))
    applicant_kind = SelectField("届出者", choices=choices(ApplicantKind.choices()))
    proxy_name = StringField("代理人氏名", validators=[Optional(), Length(max=100)])
    id_document = SelectField("本人確認書類", choices=choices(DOCUMENT_CHOICES))


class CertificateForm(FlaskForm):
    card_number = CodeField("印鑑登録証の番号", validators=[DataRequired("印鑑登録証の番号を入力してください。"),
                                                       Length(max=16)])
    copies = NumberField("通数", default=1, validators=[DataRequired("通数を入力してください。"),
                                                       NumberRange(min=1, max=10)])


class CompareForm(FlaskForm):
    card_number = CodeField("印鑑登録証の番号（登録印）", validators=[DataRequired("番号を入力してください。"),
                                                            Length(max=16)])
    image = FileField("照合する印影の画像（スキャナを使わない場合）")
    dpi = NumberField("画像の解像度（dpi）", default=600, validators=[Optional(), NumberRange(min=50, max=4800)])
