"""The form layer folds every code, number, amount, postal code and phone field (issue 15 §5)."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import DateField as WTFormsDateField
from wtforms import Form
from wtforms.fields.core import UnboundField

from app.web.forms import CodeField, DateField, NumberField, fold_code, fold_number


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

    for module in ("auth", "core", "counter", "furusato", "register", "registry", "staff"):
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
