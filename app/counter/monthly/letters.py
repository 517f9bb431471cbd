"""The letters and cards of the mail-outs (封入・発送, 000 §6(11)①シ, §6(12)①キ, §6(13)①コ, §6(6)):
each template is data (title, paragraphs, where it comes from) and renders one A4 page per
recipient, the address block placed for a window envelope (長3). Rendered in parts of CHUNK
letters and joined by app/core/pdf_join, so memory stays flat however many letters there are."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from app.core.pdf import build, document_date, page_decorator, styles, text
from app.core.pdf_join import StreamingJoin
from app.counter.monthly.models import LetterTemplate

CHUNK = 50


@dataclass(frozen=True)
class Template:
    title: str
    department: str
    paragraphs: tuple[str, ...]
    source: str  # the section of the specification the mail-out belongs to


TEMPLATES: dict[LetterTemplate, Template] = {
    LetterTemplate.elderly_recipient: Template(
        "国民健康保険 高齢受給者証の送付について", "国保年金課",
        ("あなたは{day}に70歳に達するため、翌月1日から国民健康保険高齢受給者証をお使いいただきます。",
         "同封の高齢受給者証を、医療機関の窓口で資格確認書（被保険者証）と一緒に提示してください。",
         "一部負担金の割合は受給者証に記載しています。"),
        "000 §6(11)①サ・シ"),
    LetterTemplate.late_elderly: Template(
        "後期高齢者医療制度への移行のお知らせ", "国保年金課",
        ("あなたは{day}から後期高齢者医療制度の被保険者となります（高齢者の医療の確保に関する法律第50条）。",
         "被保険者証は別途お送りします。これまでの健康保険の資格確認書等は、資格喪失後は使用できません。"),
        "000 §6(13)①ケ・コ"),
    LetterTemplate.account_check: Template(
        "送付先・口座の登録内容のお知らせ", "国保年金課",
        ("{day}にお届けいただいた送付先または口座の内容を登録しました。",
         "内容に誤りがある場合は、国保年金課までご連絡ください。"),
        "000 §6(13)②カ・キ"),
    LetterTemplate.registry_survey: Template(
        "住民基本台帳 定期実態調査票", "市民課",
        ("住民基本台帳の記録が正確であるかを確認するため、定期実態調査を実施しています。",
         "世帯の皆さまの記録を下に記載しました。異なる点があれば朱書きで訂正し、{day}までに同封の返信用封筒でご返送ください。"),
        "000 §6(6)"),
}


@dataclass(frozen=True)
class Letter:
    postal_code: str
    address: str
    name: str  # the addressee (a person, or 「○○ 様方 世帯主様」)
    day: date  # the date the template speaks of
    members: tuple[str, ...] = ()  # the survey's household members (name, birth date)


def _postal(code: str) -> str:
    return f"〒{code[:3]}-{code[3:]}" if len(code) == 7 else code


def _story(template: Template, letters: Sequence[Letter], city: str, sent_on: date) -> list:
    s = styles()
    story: list = []
    for n, letter in enumerate(letters):
        if n:
            story.append(PageBreak())
        story += [Paragraph(text(_postal(letter.postal_code)), s["body"]),
                  Paragraph(text(letter.address), s["body"]),
                  Paragraph(f"{text(letter.name)}　様", s["heading"]),
                  Spacer(1, 12 * mm),
                  Paragraph(document_date(sent_on), s["right"]),
                  Paragraph(f"{text(city)}長", s["right"]),
                  Spacer(1, 6 * mm),
                  Paragraph(text(template.title), s["title"])]
        for paragraph in template.paragraphs:
            story.append(Paragraph(text(paragraph.format(day=document_date(letter.day))), s["body"]))
            story.append(Spacer(1, 3 * mm))
        if letter.members:
            story.append(Paragraph("世帯の記録", s["heading"]))
            story += [Paragraph(text(m), s["cell"]) for m in letter.members]
    return story


def render(template_code: LetterTemplate, letters: Sequence[Letter], out: BinaryIO, *, city: str,
           sent_on: date, progress: Callable[[int], None] | None = None) -> int:
    """Write the letters to `out` as one PDF; returns its pages. `progress(done)` after each part."""
    template = TEMPLATES[template_code]
    joiner = StreamingJoin(out, title=template.title, author=city)
    for start in range(0, len(letters), CHUNK):
        part = letters[start:start + CHUNK]
        joiner.add(build(_story(template, part, city, sent_on), template.title, city,
                         page_decorator(city, template.department)))
        if progress is not None:
            progress(start + len(part))
    if not letters:
        joiner.add(build([Paragraph("（対象なし）", styles()["body"])], template.title, city))
    joiner.close()
    return joiner.pages


def render_bytes(template_code: LetterTemplate, letters: Sequence[Letter], *, city: str, sent_on: date) -> bytes:
    out = io.BytesIO()
    render(template_code, letters, out, city=city, sent_on=sent_on)
    return out.getvalue()
