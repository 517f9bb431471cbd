"""The field map of the 申告特例通知書 file (issue 17 §4): fixed-width or CSV, an encoding
(cp932 by default), and per field its byte length, zero-fill or blank padding, and 全角/半角.

The real eLTAX layout is distributed to municipalities and not public, so the layout is data
(layouts/eltax_default.yaml, the default, following the published items of the notice) that a
city replaces with a file of its own. A value that does not fit its field is refused with the
record and field named, never cut silently: a truncated name or number in a tax notice is worse
than a file that is not built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jaconv
import yaml

from app.core.refusal import Problem, Refusal

DEFAULT = Path(__file__).parent / "layouts" / "eltax_default.yaml"
FULL_SPACE = "\u3000"


class LayoutError(Refusal):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    length: int  # bytes in the file's encoding (a 全角 character is 2 in cp932)
    source: str = ""
    value: str = ""  # a constant
    fill: str = "blank"  # blank: left-aligned, spaces after; zero: right-aligned, zeros before
    width: str = ""  # full | half | "" (as given)
    date: str = ""  # strftime format for a date


@dataclass(frozen=True)
class Layout:
    name: str
    format: str
    encoding: str
    newline: str
    header: tuple[Field, ...]
    record: tuple[Field, ...]
    trailer: tuple[Field, ...]


def load(path: Path | None = None) -> Layout:
    raw = yaml.safe_load((path or DEFAULT).read_text(encoding="utf-8"))
    if raw.get("format") not in ("fixed", "csv"):
        raise LayoutError("レイアウトの format は fixed か csv にしてください。", "format")

    def fields(key: str) -> tuple[Field, ...]:
        return tuple(Field(**{k: (str(v) if k == "value" else v) for k, v in f.items()}) for f in raw.get(key) or ())

    return Layout(raw.get("name", ""), raw["format"], raw.get("encoding", "cp932"), raw.get("newline", "\r\n"),
                  fields("header"), fields("record"), fields("trailer"))


def _text(f: Field, values: dict[str, Any]) -> str:
    raw = f.value if f.value else values.get(f.source, "")
    if raw is None:
        return ""
    if isinstance(raw, date):
        return raw.strftime(f.date or "%Y%m%d")
    text = str(raw)
    if f.width == "full":
        text = jaconv.h2z(text, kana=True, digit=True, ascii=True).replace(" ", FULL_SPACE)
    elif f.width == "half":
        text = jaconv.z2h(jaconv.hira2kata(text), kana=True, digit=True, ascii=True).replace(FULL_SPACE, " ")
    return text


def render(f: Field, values: dict[str, Any], encoding: str, *, fixed: bool, where: str) -> bytes:
    text = _text(f, values)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise LayoutError(f"{where}の「{f.name}」に{encoding}で書けない文字があります（{text[exc.start]}）。",
                          f.name) from exc
    if not fixed:
        return data
    if len(data) > f.length:
        raise LayoutError(f"{where}の「{f.name}」が{f.length}バイトに収まりません（{len(data)}バイト）。", f.name)
    if f.fill == "zero":
        return b"0" * (f.length - len(data)) + data
    pad = (FULL_SPACE.encode(encoding) if f.width == "full" else b" ")
    out = data
    while len(out) + len(pad) <= f.length:
        out += pad
    return out + b" " * (f.length - len(out))


def line(fields: tuple[Field, ...], values: dict[str, Any], layout: Layout, where: str) -> bytes:
    parts = [render(f, values, layout.encoding, fixed=layout.format == "fixed", where=where) for f in fields]
    if layout.format == "fixed":
        return b"".join(parts) + layout.newline.encode()
    quoted = [b'"' + p.replace(b'"', b'""') + b'"' if (b"," in p or b'"' in p) else p for p in parts]
    return b",".join(quoted) + layout.newline.encode()


def lines(fields: tuple[Field, ...], rows: list[tuple[str, dict[str, Any]]],
          layout: Layout) -> tuple[bytes, list[Problem]]:
    """The records' lines, each value rendered once, and every value that does not fit (all at once)."""
    out: list[bytes] = []
    problems: list[Problem] = []
    for where, values in rows:
        try:
            out.append(line(fields, values, layout, where))
        except LayoutError:
            problems += check_all([(where, values)], layout)
    return b"".join(out), problems


def check_all(rows: list[tuple[str, dict[str, Any]]], layout: Layout) -> list[Problem]:
    """Every value that does not fit, all at once (a refusal names each record and field)."""
    problems: list[Problem] = []
    for where, values in rows:
        for f in layout.record:
            try:
                render(f, values, layout.encoding, fixed=layout.format == "fixed", where=where)
            except LayoutError as refused:
                problems.append(Problem(f.name, refused.message))
    return problems
