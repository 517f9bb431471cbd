from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional

from app.web.forms import DateField


class ResidentSearchForm(FlaskForm):
    class Meta:
        csrf = False

    kana = StringField("氏名（カナ・ひらがな、前方一致）", validators=[Optional(), Length(max=100)])
    name = StringField("氏名（漢字、前方一致）", validators=[Optional(), Length(max=100)])
    birth_date = DateField("生年月日", validators=[Optional()])
    address = StringField("住所（部分一致）", validators=[Optional(), Length(max=200)])
