"""The counter's PDFs: 住民票の写し (000 §6(1)) and the 受付案内票 of related procedures
(000 §6(3)②)."""

from __future__ import annotations

from datetime import date

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.core.pdf import GOTHIC, SealStamp, build, document_date, page_decorator, styles, text
from app.core.refusal import Refusal
from app.core.services import get_municipality
from app.counter import workflow
from app.counter.models import MY_NUMBER_REQUESTERS, Case
from app.counter.related import RelatedProcedure
from app.registry import services as registry
from app.registry.adapter import HouseholdRecord, PersonRecord

COLUMNS = [32 * mm, 55 * mm, 32 * mm, 55 * mm]


class DocumentError(Refusal):
    """The document cannot be made (yet): not approved, or the city's settings are missing."""


def _city() -> tuple[str, str]:
    city = get_municipality()
    if city is None:
        raise DocumentError("自治体設定（市の名称・市長名）が登録されていません。管理者に連絡してください。")
    return city.name, city.mayor_name


def _grid(rows: list[list[Flowable | str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.94, 0.94)),
        ("BACKGROUND", (2, 0), (2, -1), colors.Color(0.94, 0.94, 0.94)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def _person_block(person: PersonRecord, n: int, flags: dict[str, bool], number: str | None) -> Table:
    s = styles()
    label, cell = s["label"], s["cell"]

    def d(day: object) -> str:
        return document_date(day) if day else "—"  # type: ignore[arg-type]

    name = Paragraph(f'<font size="7">{text(person.kana)}</font><br/><font size="12">{text(person.name)}</font>', cell)
    rows: list[list[Flowable | str]] = [
        [Paragraph(f"{n}　氏名", label), name, Paragraph("生年月日", label), Paragraph(d(person.birth_date), cell)],
        [Paragraph("性別", label), Paragraph(person.sex.label, cell),
         Paragraph("続柄", label), Paragraph(text(person.relationship) if flags["relationship"] else "（省略）", cell)],
        [Paragraph("住民となった年月日", label), Paragraph(d(person.resident_since), cell),
         Paragraph("住所を定めた年月日", label), Paragraph(d(person.address_since), cell)],
        [Paragraph("届出日", label), Paragraph(d(person.notified_on), cell),
         Paragraph("前住所", label), Paragraph(text(person.previous_address or "—"), cell)],
    ]
    if flags["domicile"]:
        rows.append([Paragraph("本籍", label), Paragraph(text(person.domicile or "—"), cell),
                     Paragraph("筆頭者", label), Paragraph(text(person.domicile_head or "—"), cell)])
    if number:
        rows.append([Paragraph("個人番号", label), Paragraph(" ".join((number[:4], number[4:8], number[8:])), cell),
                     Paragraph("", label), ""])
    return _grid(rows, COLUMNS)


def _address_block(household: HouseholdRecord, head_shown: str, count: int) -> Table:
    s = styles()
    top = _grid([
        [Paragraph("住所", s["label"]), Paragraph(f"〒{household.postal_code[:3]}-{household.postal_code[3:]}　"
                                                   f"{text(household.address)}", s["cell"]), "", ""],
        [Paragraph("世帯主", s["label"]), Paragraph(head_shown, s["cell"]),
         Paragraph("記載人数", s["label"]), Paragraph(f"{count}人", s["cell"])],
    ], COLUMNS)
    top.setStyle(TableStyle([("SPAN", (1, 0), (3, 0)), ("BACKGROUND", (2, 0), (2, 0), colors.white)]))
    return top


def _omitted_note(flags: dict[str, bool], with_number: bool) -> list[Flowable]:
    optional = (("relationship", "世帯主・続柄"), ("domicile", "本籍・筆頭者"))
    omitted = [label for key, label in optional if not flags[key]]
    if not with_number:
        omitted.append("個人番号")
    if not omitted:
        return []
    return [Paragraph(f"（{'・'.join(omitted)}の記載を省略しています。住民票コードは記載していません。）",
                      styles()["small"])]


def _certification(scope: str, city_name: str, mayor: str) -> KeepTogether:
    s = styles()
    certification = Paragraph(f"この写しは、{scope}の住民票の原本と相違ないことを証明する。", s["body"])
    certifier = Table([[Paragraph(document_date(today()), s["body"]),
                        Paragraph(f'<font size="13">{text(city_name)}長　{text(mayor)}</font>', s["right"]),
                        SealStamp(f"{city_name}長之印")]], colWidths=[60 * mm, 90 * mm, 24 * mm])
    certifier.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return KeepTogether([Spacer(1, 5 * mm), certification, Spacer(1, 2 * mm), certifier])


def resident_record_copy_pdf(case: Case, by: User) -> bytes:
    """住民票の写し from the registry, only after city staff approved the issue (000 §7(2)).

    Household or chosen members; 世帯主・続柄 and 本籍・筆頭者 only when asked for
    (住民基本台帳法 §12⑤ allows leaving them out); the individual number only on a request by
    the person or a member of the household (§12⑤, §12の3⑦), read from the registry for this
    print and not kept.
    """
    if case.procedure.code != "resident_record_copy":
        raise DocumentError("この案件は住民票の写しの請求ではありません。")
    if case.approved_at is None or case.state not in workflow.ISSUED_STATES:
        raise DocumentError("住民票の写しは、市職員の審査で承認された後に作成できます（000 §7(2)）。")
    city_name, mayor = _city()
    data = case.form_data
    purpose = f"窓口案件 {case.id}：住民票の写しの作成"
    subject = registry.read_person(case.subject_resident_id or 0, purpose, by=by)
    household = registry.read_household(subject.household_id, purpose, by=by)
    members = list(household.active_members)
    whole = data.get("scope") == "household"
    if not whole:
        members = [m for m in members if m.id in set(data.get("members") or [])]
    flags = {"relationship": bool(data.get("include_relationship")), "domicile": bool(data.get("include_domicile"))}
    with_number = bool(data.get("include_my_number")) and case.requester_kind in MY_NUMBER_REQUESTERS
    head = household.head
    s = styles()
    head_shown = text(head.name) if head and flags["relationship"] else "（省略）"
    story: list[Flowable] = [Paragraph("住　民　票", s["title"]), _address_block(household, head_shown, len(members)),
                             Spacer(1, 4 * mm)]
    for n, person in enumerate(members, start=1):
        number = registry.my_number_for_print(person.id, purpose, by=by) if with_number else None
        story += [KeepTogether(_person_block(person, n, flags, number)), Spacer(1, 2.5 * mm)]
    story += [Paragraph("以下余白", s["right"]), *_omitted_note(flags, with_number)]
    scope = "世帯全員" if whole else "世帯の一部"
    story.append(_certification(scope, city_name, mayor))
    pdf = build(story, "住民票の写し", f"{city_name}長",
                page_decorator(city_name, "市民環境部 市民課", f"発行番号 {case.id:06d}"))
    audit.record("print", "case", case.id, f"住民票の写し {data.get('copies', 1)}通（{scope}、{len(members)}人"
                 + ("、個人番号あり" if with_number else "") + "）", by=by)
    return pdf


def reception_guide_pdf(case: Case, items: list[RelatedProcedure], by: User) -> bytes:
    """受付案内票: what else the visitor should do at which department after the move."""
    city_name, _ = _city()
    s = styles()
    story: list[Flowable] = [Paragraph("受 付 案 内 票", s["title"]),
                             Paragraph("住民異動届に伴い、次の手続が必要な方がいます。各担当課の窓口へお越しください。",
                                       s["body"]), Spacer(1, 3 * mm)]
    data = case.form_data
    summary = _grid([
        [Paragraph("届出", s["label"]), Paragraph(text(case.procedure.name), s["cell"]),
         Paragraph("異動日", s["label"]), Paragraph(document_date(date.fromisoformat(data["moved_on"])), s["cell"])],
        [Paragraph("届出者", s["label"]), Paragraph(f"{text(case.requester_name)}　様", s["cell"]),
         Paragraph("受付番号", s["label"]), Paragraph(f"{case.id:06d}", s["cell"])],
    ], [24 * mm, 70 * mm, 24 * mm, 56 * mm])
    story += [summary, Spacer(1, 5 * mm)]
    header = [Paragraph(t, s["label"]) for t in ("", "担当課", "手続", "対象の方")]
    rows = [header] + [[Paragraph("□", s["cell"]), Paragraph(text(i.department), s["cell"]),
                        Paragraph(text(i.procedure), s["cell"]),
                        Paragraph("<br/>".join(map(text, i.people)), s["cell"])]
                       for i in items]
    table = Table(rows, colWidths=[8 * mm, 38 * mm, 88 * mm, 40 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),
    ]))
    story.append(table if items else Paragraph("ほかの課での手続はありません。", s["body"]))
    story += [Spacer(1, 6 * mm), Paragraph("ご不明な点は市民課（住民異動）の窓口でお尋ねください。", s["small"]),
              Paragraph(f"{document_date(today())}　{text(city_name)} 市民環境部 市民課", s["right"])]
    pdf = build(story, "受付案内票", city_name, page_decorator(city_name, "市民環境部 市民課"))
    audit.record("print", "case", case.id, f"受付案内票（{len(items)}件）", by=by)
    return pdf

