"""Settings are typed for real (STYLE rule 19, issue 13 §4): every variable README's table
documents reaches its `Config` field through `from_env`, every field is in the table, the
environment is read for nothing else, and the code reads settings as `settings().NAME`."""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from pathlib import Path
from typing import Any

import pytest

from app.config import Config
from app.registry.local import LocalRegistry

ROOT = Path(__file__).resolve().parent.parent
NAMES = re.compile(r"`([A-Z][A-Z0-9_]*)`")
FIELD_TYPES = typing.get_type_hints(Config)


def _settings_table() -> list[tuple[list[str], list[str]]]:
    """(variables, fields) for each row of the table under README's "## Configuration"."""
    section = ROOT.joinpath("README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and NAMES.search(cells[1]):
            rows.append((NAMES.findall(cells[0]), NAMES.findall(cells[1])))
    return rows


def _documented() -> dict[str, str]:
    """Each documented variable and the field it goes to (the row's fields in the same order)."""
    pairs = {}
    for variables, fields in _settings_table():
        if variables:
            assert len(variables) == len(fields), f"row {variables} names a field for each variable"
            pairs.update(zip(variables, fields, strict=True))
    return pairs


def _sample(field: str) -> tuple[str, Any]:
    """A value to set the variable to, and what the field must then hold."""
    kind = FIELD_TYPES[field]
    if field == "SQLALCHEMY_DATABASE_URI":
        return "postgresql://db.example/yakuba", "postgresql+psycopg://db.example/yakuba"
    if kind is bool:
        default = next(f.default for f in dataclasses.fields(Config) if f.name == field)
        return ("0", False) if default is True else ("1", True)
    if kind is int:
        return "4242", 4242
    if typing.get_origin(kind) is tuple:
        return "192.0.2.1, 198.51.100.0/24", ("192.0.2.1", "198.51.100.0/24")
    return "sample-value", "sample-value"


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for variable in _documented():
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


@pytest.mark.parametrize(("variable", "field"), sorted(_documented().items()))
def test_every_documented_variable_reaches_its_field(clean_environment: pytest.MonkeyPatch, variable: str,
                                                     field: str) -> None:
    value, expected = _sample(field)
    overrides = {} if field == "SECRET_KEY" else {"SECRET_KEY": "test"}
    before = getattr(Config.from_env(SECRET_KEY="test"), field)
    clean_environment.setenv(variable, value)
    after = getattr(Config.from_env(**overrides), field)
    assert after == expected != before


def test_every_field_is_in_the_table() -> None:
    documented = {field for _, fields in _settings_table() for field in fields}
    assert documented == {f.name for f in dataclasses.fields(Config)}


def test_the_environment_is_read_for_documented_variables_only(clean_environment: pytest.MonkeyPatch) -> None:
    read: set[str] = set()

    class Recording(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
            read.add(key)
            return super().get(key, default)

    clean_environment.setattr(os, "environ", Recording(os.environ))
    Config.from_env(SECRET_KEY="test")
    assert read and read <= set(_documented())


class CityRegistry(LocalRegistry):
    """A city's own registry adapter, named by REGISTRY_ADAPTER (here the stand-in, renamed)."""


def test_the_registry_adapter_setting_is_a_field() -> None:
    config = Config.from_env(SECRET_KEY="test", REGISTRY_ADAPTER="tests.test_config:CityRegistry")
    assert config.REGISTRY_ADAPTER == "tests.test_config:CityRegistry"
    assert Config.from_env(SECRET_KEY="test").REGISTRY_ADAPTER == "app.registry.local:LocalRegistry"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"REGISTRY_ADAPTER": "tests.test_config:CityRegistry"}


def test_the_registry_adapter_it_names_is_used(app) -> None:  # type: ignore[no-untyped-def]
    from app.registry import services
    from app.registry.adapter import SearchCriteria, get_adapter

    assert type(get_adapter()) is CityRegistry
    assert services.search(SearchCriteria(kana="ヤマダ"), "テスト", by=None) == []


SETTING_BY_KEY = re.compile(r"""config(?:\[|\.get\()\s*["']([A-Z][A-Z0-9_]*)["']""")


def test_nothing_reads_a_setting_by_its_key() -> None:
    """`app.config["DEMO_MODE"]` works, but bypasses the typed field: settings().DEMO_MODE."""
    fields = {f.name for f in dataclasses.fields(Config)}
    found = [f"{path.relative_to(ROOT)}:{n}" for path in sorted(ROOT.joinpath("app").rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if any(key in fields for key in SETTING_BY_KEY.findall(line))]
    assert not found, f"settings read by key: {found}"
