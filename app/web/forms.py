"""Shared form helpers: a form's input becomes a service's dataclass through `input_from`, and a
refusal is shown on the form, every problem at once, through `show_refusal` (STYLE rule 16)."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from flask import Flask, request
from flask_wtf import FlaskForm
from wtforms import DateField as WTFormsDateField
from wtforms import FloatField, Form, IntegerField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from app.core.refusal import Refusal
from app.core.text import drop_whitespace, unify_dashes, width
from app.web import transaction

T = TypeVar("T")

# PostgreSQL's integer, the type of every id, amount and count column: a larger number would be a
# database error there (a 500), so forms and query arguments refuse it first (issue 14 §4).
INTEGER_MAX = 2**31 - 1


def integer(value: str) -> int:
    """int() for a query or form argument bound for an integer column; out of range is a
    ValueError, so `request.args.get(name, type=integer)` gives the default instead."""
    number = int(value)
    if not -INTEGER_MAX - 1 <= number <= INTEGER_MAX:
        raise ValueError(value)
    return number


def page_number() -> int:
    """The list page a request asks for (`?page=`): 1 when absent, not a number, or beyond what an
    integer column holds (a bigger OFFSET is an error on PostgreSQL)."""
    return request.args.get("page", 1, type=integer) or 1


def in_integer_range(minimum: int | None = None, message: str | None = None) -> NumberRange:
    """An IntegerField's range: what the integer column holds, or from `minimum` up to that."""
    return NumberRange(min=-INTEGER_MAX - 1 if minimum is None else minimum, max=INTEGER_MAX, message=message)


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxList(SelectMultipleField):
    """Several choices as a row of checkboxes: a multiple select list box hides the options below
    its fold and needs Ctrl to pick more than one."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("class", "checks")
        return super().__call__(**kwargs)


class FoldedLength(Length):
    """Length of the text as a service that width-folds it (NFKC) stores it: folding can lengthen
    it (㍿ is 株式会社), and the column's length is what counts (issue 14 §4)."""

    def __call__(self, form: Form, field: Any) -> None:
        super().__call__(form, _Folded(field))


class _Folded:
    """What Length reads of a field, with the data folded."""

    def __init__(self, field: Any) -> None:
        self.data = width(field.data) if isinstance(field.data, str) else field.data
        self.gettext, self.ngettext = field.gettext, field.ngettext


def fold_code(value: Any) -> Any:
    """A code, number, postal code or phone number as typed in any width: NFKC (０２９ is 029),
    one dash, no spaces, no postal mark (〒029-0000 is 029-0000). The one fold of every such
    field (issue 15 §5); a service still checks the folded text."""
    if not isinstance(value, str):
        return value
    return unify_dashes(drop_whitespace(width(value))).removeprefix("〒")


def fold_number(value: str) -> str:
    """An integer as typed: folded as a code, without thousands separators or a trailing 円."""
    return fold_code(value).replace(",", "").removesuffix("円")


class CodeField(StringField):
    """A code, number, postal code or phone field: its data is folded by `fold_code` (and shown
    back folded when the form is refused)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["filters"] = (fold_code, *kwargs.get("filters", ()))
        super().__init__(*args, **kwargs)


class NumberField(IntegerField):
    """An integer (amount, count, number) typed in any width (１，０００円 is 1000). A text input
    with a numeric keyboard: a browser's number input drops full-width digits before the server
    could fold them."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Folded, then parsed; not a number is refused naming the field (as DateField), not with
        WTForms' 「有効な整数ではありません」."""
        try:
            super().process_formdata([fold_number(v) if isinstance(v, str) else v for v in valuelist])
        except ValueError:
            raise ValueError(f"{self.label.text}は半角・全角の数字で入力してください。") from None


class DecimalNumberField(FloatField):
    """A measure (mm) typed in any width, as NumberField folds an integer; not a number is
    refused naming the field."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([fold_number(v) if isinstance(v, str) else v for v in valuelist])
        except ValueError:
            raise ValueError(f"{self.label.text}は数字（例: 21.5）で入力してください。") from None


class DateField(WTFormsDateField):
    """A date typed in any width (２０２６－１２－０１ is 2026-12-01). A date that is not one is
    refused naming the field, not with WTForms' 「無効な日付型です。」 (issue 15 §5)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata([fold_code(v) for v in valuelist])
        except ValueError:
            raise ValueError(f"{self.label.text}は日付（例: 2026-12-01）で入力してください。") from None


def input_from(form: Form, cls: type[T], **extra: Any) -> T:
    """The service input `cls` (a dataclass) from the form fields of the same names; `extra`
    gives the fields the form does not have. An empty text field becomes "" for a `str` field,
    so services never see None where they expect text."""
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(cls):  # type: ignore[arg-type]
        if spec.name in extra:
            values[spec.name] = extra[spec.name]
        elif spec.name in form:
            data = form[spec.name].data
            values[spec.name] = "" if data is None and hints.get(spec.name) is str else data
    unknown = set(extra) - set(values)
    if unknown:
        raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
    return cls(**values)


def show_refusal(form: Form, refusal: Refusal, fallback: str | None = None) -> None:
    """Mark every problem of `refusal` on its form field. A problem about a field the form does
    not have (or about no field) goes to `fallback`, or to the form's own errors."""
    for problem in refusal.problems:
        name = problem.field if problem.field in form else fallback
        if name and name in form:
            field = form[name]
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors = [*form.form_errors, problem.message]


@dataclasses.dataclass(frozen=True)
class Done(Generic[T]):
    """A form's step that was carried out, with what the step returned."""

    value: T


def submitted(form: FlaskForm, step: Callable[[], T], fallback: str | None = None) -> Done[T] | None:
    """A form's POST step in one place: the form is validated, then `step` (a service call) runs.
    Done when it was carried out; None when the page is to be shown again (422) with every problem
    on the form, the step's refusal included, and what the step flushed rolled back."""
    if not form.validate_on_submit():
        return None
    try:
        return Done(step())
    except Refusal as refusal:
        transaction.refused_shown_again()
        show_refusal(form, refusal, fallback)
        return None


def init_app(app: Flask) -> None:
    """Japanese validation messages for every form. WTForms ships the translations; Flask-WTF
    would look for them through Flask-Babel, which Yakuba does not use."""
    app.config["WTF_I18N_ENABLED"] = False
    FlaskForm.Meta.locales = ("ja_JP", "ja")
