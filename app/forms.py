"""Shared form helpers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


def init_app(app: Flask) -> None:
    """Japanese validation messages for every form. WTForms ships the translations; Flask-WTF
    would look for them through Flask-Babel, which Yakuba does not use."""
    app.config["WTF_I18N_ENABLED"] = False
    FlaskForm.Meta.locales = ("ja_JP", "ja")
