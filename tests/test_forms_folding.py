"""The form layer folds every code, number, amount, postal code and phone field (issue 15 §5)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from app.web.forms import CodeField, NumberField, fold_code, fold_number


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
