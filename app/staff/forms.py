"""Forms of the staff register, the areas, the incidents and the contract's end. What is
required is said by the services, every problem at once."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from app.staff.models import IncidentKind, Post
from app.web.forms import CheckboxList, DateField, NumberField, choices


class OptionalId(SelectField):
    """A select of ids with a blank first choice that reads as None."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = int(valuelist[0]) if valuelist and valuelist[0].isdigit() else None

    def pre_validate(self, form: object) -> None:
        return None


class EntryForm(FlaskForm):
    post = SelectField("区分", choices=choices(Post.choices()), default=Post.worker)
    name = StringField("氏名", validators=[Length(max=100)])
    duty = StringField("担当業務", validators=[Optional(), Length(max=200)])
    start_on = DateField("従事開始日", validators=[Optional()])
    user_id = OptionalId("ログインアカウント（任意）")


class EndForm(FlaskForm):
    end_on = DateField("従事終了日（最終日）", validators=[Optional()])


class PledgeForm(FlaskForm):
    signed_on = DateField("誓約書の提出日", validators=[Optional()])
    document = FileField("署名済みの誓約書（PDF・PNG・JPEG）")


class LeadChangeForm(FlaskForm):
    name = StringField("新しい作業責任者の氏名", validators=[Length(max=100)])
    duty = StringField("担当業務", validators=[Optional(), Length(max=200)])
    start_on = DateField("交代予定日", validators=[Optional()])
    reason = TextAreaField("変更の理由", validators=[Length(max=2000)])
    user_id = OptionalId("ログインアカウント（任意）")


class DecisionForm(FlaskForm):
    note = TextAreaField("意見・不承認の理由", validators=[Length(max=2000)])


class TrainingForm(FlaskForm):
    title = StringField("研修名", validators=[Length(max=200)])
    plan = TextAreaField("実施計画（目的・内容・対象・講師）", validators=[Length(max=4000)])
    held_on = DateField("実施日", validators=[Optional()])
    material = FileField("研修資料（PDF・PNG・JPEG、任意）")
    attendee_ids = CheckboxList("出席者", coerce=int)


class AttendanceForm(FlaskForm):
    attendee_ids = CheckboxList("出席者", coerce=int)


class AreaForm(FlaskForm):
    name = StringField("名称", validators=[Length(max=100)])
    place = StringField("場所（建物・階・室）", validators=[Length(max=200)])
    measures = TextAreaField("安全管理措置（入退室管理・施錠・持出し禁止など）", validators=[Length(max=4000)])
    active = BooleanField("使用中", default=True)


class IncidentForm(FlaskForm):
    kind = SelectField("種別", choices=choices(IncidentKind.choices()))
    occurred_at = DateTimeLocalField("発生日時", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField("発生場所", validators=[Length(max=200)])
    what_happened = TextAreaField("発生状況（何が起きたか）", validators=[Length(max=4000)])
    data_involved = TextAreaField("関わる個人情報の内容（どのデータか）", validators=[Length(max=2000)])
    people_count = NumberField("件数（人数）", validators=[Optional()])
    actions_taken = TextAreaField("講じた措置（被害拡大の防止・連絡など）", validators=[Length(max=4000)])


class AcknowledgeForm(FlaskForm):
    instruction = TextAreaField("市からの指示", validators=[Length(max=4000)])


class PreventionForm(FlaskForm):
    prevention = TextAreaField("再発防止策", validators=[Length(max=4000)])


class ErasureForm(FlaskForm):
    items = TextAreaField("消去する個人情報の項目", validators=[Length(max=2000)])
    medium = StringField("媒体", validators=[Length(max=200)])
    quantity = StringField("数量", validators=[Length(max=200)])
    method = TextAreaField("消去の方法", validators=[Length(max=2000)])
    planned_on = DateField("処理予定日", validators=[Optional()])


class ConfirmForm(FlaskForm):
    confirmation = StringField("確認のため入力してください", validators=[Length(max=100)])
