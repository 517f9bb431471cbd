"""The thank-you letter (お礼状) and the print settings of a window envelope (issue 16 §2).

The letter's text is a template the office edits, with placeholders in braces: {氏名} {金額}
{使い道} {返礼品} {寄附日} {市町村名}. A template naming any other placeholder is refused, with
the unknown names, before it is saved or printed; `{{` and `}}` print a brace.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

from app.core.pdf import document_date
from app.core.refusal import Problem, Refusal
from app.furusato.envelopes import Envelope, Issuer

PLACEHOLDERS = {
    "氏名": "寄附者の氏名",
    "金額": "寄附金額の合計（円）",
    "使い道": "寄附の使い道",
    "返礼品": "返礼品",
    "寄附日": "最初の寄附の収納日",
    "市町村名": "市町村名",
}

DEFAULT_TITLE = "ふるさと納税へのお礼"
DEFAULT_BODY = """{氏名}様

拝啓　時下ますますご清祥のこととお喜び申し上げます。
このたびは、{市町村名}のふるさと納税に{金額}円のご寄附を賜り、心より御礼申し上げます。
お寄せいただいた寄附金は「{使い道}」に大切に活用させていただきます。
返礼品（{返礼品}）は、事業者より別途お届けいたします。
同封の寄附金受領証明書は、確定申告の際に必要となりますので、大切に保管してください。
今後とも{市町村名}への変わらぬご支援を賜りますようお願い申し上げます。

敬具"""


class LetterRefused(Refusal):
    pass


@dataclass(frozen=True)
class LetterTemplate:
    body: str = DEFAULT_BODY
    title: str = DEFAULT_TITLE


@dataclass(frozen=True)
class EnvelopeLayout:
    """Where the address block sits on the A4 sheet, in mm from the sheet's top-left corner,
    so that it shows through the window once the sheet is folded in three (Z-fold, the top third
    facing out). The default fits the common 長3 窓あき window (90 x 45 mm, 23 mm from the left
    and 13 mm from the top of the envelope) with the sheet's play in the envelope."""

    address_left_mm: float = 25.0
    address_top_mm: float = 18.0
    address_width_mm: float = 85.0
    address_height_mm: float = 40.0
    envelope: str = "長3 窓あき"


@dataclass(frozen=True)
class CoverSheet:
    """Page 1 of a print batch: what is in it, for the print room."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)  # kind -> count, e.g. 封筒, 証明書
    postal_ranges: tuple[tuple[str, str], ...] = ()  # (from, to) postal codes of the sort
    note: str = ""


def _fields(body: str) -> list[str]:
    try:
        return [name for _, name, spec, conv in string.Formatter().parse(body) if name is not None]
    except ValueError as error:  # a lone { or }
        raise LetterRefused("お礼状の本文の { } の対応が正しくありません（文字の { } は {{ }} と書きます）。",
                            "body") from error


def check_template(template: LetterTemplate) -> None:
    """Refuse a template with an unknown or empty placeholder, naming every one."""
    problems = []
    for name in dict.fromkeys(_fields(template.body)):
        if name not in PLACEHOLDERS:
            known = "、".join("{" + k + "}" for k in PLACEHOLDERS)
            problems.append(Problem("body", f"お礼状の差し込み項目「{{{name}}}」はありません（使えるのは {known}）。"))
    if not template.body.strip():
        problems.append(Problem("body", "お礼状の本文を入力してください。"))
    if problems:
        raise LetterRefused.of(problems)


def values(envelope: Envelope, issuer: Issuer) -> dict[str, str]:
    lines = envelope.certificates
    uses = "、".join(dict.fromkeys(line.use for line in lines if line.use)) or "市長が必要と認める事業"
    gifts = "、".join(dict.fromkeys(line.gift for line in lines if line.gift)) or "なし"
    first = min((line.paid_on for line in lines), default=None)
    return {"氏名": envelope.recipient.name, "金額": f"{envelope.total:,}", "使い道": uses, "返礼品": gifts,
            "寄附日": document_date(first) if first else "", "市町村名": issuer.city_name}


def fill(template: LetterTemplate, envelope: Envelope, issuer: Issuer) -> str:
    check_template(template)
    return template.body.format_map(values(envelope, issuer))
