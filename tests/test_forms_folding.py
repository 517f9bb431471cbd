"""The form layer folds every code, number, amount, postal code and phone field (issue 15 §5)."""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField as WTFormsDateField
from wtforms import DecimalField, FloatField, Form, IntegerField, StringField
from wtforms.fields.core import UnboundField

from app.web.forms import CodeField, DateField, DecimalNumberField, NumberField, fold_code, fold_number


class _Form(Form):
    code = CodeField("コード")
    number = NumberField("数")


@pytest.mark.parametrize(("typed", "folded"), [
    ("０２９－００００", "029-0000"), ("〒029-0000", "029-0000"), ("〒０２９ー００００", "029-0000"),
    ("０１９１　２３　４５６７", "0191234567"), ("０１９１‐２３‐４５６７", "0191-23-4567"), ("", ""),
])
def test_a_code_is_folded(typed: str, folded: str) -> None:
    assert fold_code(typed) == folded
    assert _Form(MultiDict({"code": typed})).code.data == folded


@pytest.mark.parametrize(("typed", "number"), [("１，０００円", 1000), ("１２", 12), (" 300 ", 300), ("－５", -5)])
def test_a_number_is_folded_before_it_is_parsed(typed: str, number: int) -> None:
    form = _Form(MultiDict({"number": typed}))
    assert form.validate() and form.number.data == number
    assert fold_number(typed) == str(number)


def test_a_number_that_is_not_one_is_still_refused_and_shown_as_typed() -> None:
    form = _Form(MultiDict({"number": "千円"}))
    assert not form.validate() and form.number.errors
    assert 'value="千円"' in form.number()
    assert form.number.errors == ["数は半角・全角の数字で入力してください。"]


class _DateForm(Form):
    day = DateField("受付日")


@pytest.mark.parametrize("typed", ["2026-12-01", "２０２６－１２－０１"])
def test_a_date_is_folded_before_it_is_parsed(typed: str) -> None:
    form = _DateForm(MultiDict({"day": typed}))
    assert form.validate() and form.day.data == date(2026, 12, 1)


def test_a_date_that_is_not_one_is_refused_in_japanese_naming_the_field() -> None:
    form = _DateForm(MultiDict({"day": "12月32日"}))
    assert not form.validate()
    assert form.day.errors == ["受付日は日付（例: 2026-12-01）で入力してください。"]


def _all_forms() -> list[type[Form]]:
    import app  # noqa: F401  (every blueprint's forms module is imported by the app factory)

    for module in ("auth", "core", "counter", "devices", "furusato", "queue", "register", "registry", "seal", "staff"):
        importlib.import_module(f"app.{module}.forms")
    found, todo = [], [Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("app."):
            found.append(cls)
    return found


def test_every_date_field_of_every_form_names_its_field_when_refused() -> None:
    """No form keeps WTForms' 「無効な日付型です。」 (issue 15 §5): each date field is the form layer's."""
    forms = _all_forms()
    assert len(forms) > 20
    plain = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in forms
        for name, unbound in vars(cls).items()
        if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, WTFormsDateField)
        and not issubclass(unbound.field_class, DateField)
    ]
    assert plain == []


def _fields(kind: type, not_kind: type) -> list[tuple[str, str, UnboundField]]:
    return [(f"{cls.__module__}.{cls.__name__}.{name}", name, unbound)
            for cls in _all_forms() for name, unbound in vars(cls).items()
            if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, kind)
            and not issubclass(unbound.field_class, not_kind)]


def test_every_integer_field_of_every_form_folds_full_width_digits() -> None:
    """An amount, count or id typed １，０００ is 1000 everywhere, not only in 寄附受付 (issue 15 §5)."""
    plain = [where for where, _name, _unbound in _fields(IntegerField, NumberField)]
    plain += [where for where, _name, _unbound in _fields(DecimalField | FloatField, DecimalNumberField)]  # type: ignore[arg-type]
    assert plain == []


#: Text fields whose name says code, number, postal code or phone, and what they hold instead.
NOT_CODES = {"app.staff.forms.ErasureForm.quantity": "free text: 「紙 3箱」",
             "app.counter.ledgers.forms.PlateForm.number": "a plate as written on it: 「山彦 臨 301」, spaces kept",
             "app.furusato.gifts.forms.GiftForm.portal_codes": "lines of ポータル=コード, folded whole (NFKC) by the "
                                                               "gift service"}
CODE_NAME = re.compile(r"code|postal|phone|tel|fax|zip|number|amount|quantity|prefixes", re.IGNORECASE)


def test_every_code_postal_and_phone_field_of_every_form_is_folded() -> None:
    """「０２９－００００」 and 「〒029-0000」 are 029-0000 in every form (自治体設定, 寄附, カタログ, 端末…)."""
    plain = [where for where, name, _unbound in _fields(StringField, CodeField)
             if CODE_NAME.search(name) and where not in NOT_CODES]
    assert plain == []


def test_the_donation_forms_fold_full_width_amounts_postal_codes_and_phones(app) -> None:
    from app.furusato.forms import CatalogForm, PaymentForm

    with app.test_request_context():
        catalog = CatalogForm(MultiDict({"postal_code": "〒０２９－００００", "phone": "０１９１－２３－４５６７"}),
                              meta={"csrf": False})
        payment = PaymentForm(MultiDict({"amount": "１０，０００円"}), meta={"csrf": False})
    assert (catalog.postal_code.data, catalog.phone.data) == ("029-0000", "0191-23-4567")
    assert payment.amount.data == 10000


def test_a_measure_folds_full_width_and_a_wrong_one_names_its_field(app) -> None:
    from app.core.forms import SealForm

    with app.test_request_context():
        good = SealForm(MultiDict({"seal_mm": "２１．５"}), meta={"csrf": False})
        bad = SealForm(MultiDict({"seal_mm": "二十一"}), meta={"csrf": False})
    assert good.seal_mm.data == 21.5
    assert bad.seal_mm.data is None
    assert bad.seal_mm.process_errors == ["公印の大きさ（mm、一辺又は直径）は数字（例: 21.5）で入力してください。"]
