"""The bereavement corner's papers (000 §6(15)⑨オ おくやみコーナーに係る必要書類の作成): the guide
the family gets before the visit (the procedures that apply and the documents to bring) and the
sheet they take home (what was done, what remains and where to go). Printing either is an
audited read of the reservation."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from app.auth import audit
from app.auth.models import User
from app.bereavement import derive
from app.bereavement.models import ItemOutcome, Reservation
from app.core.dates import today
from app.core.pdf import GOTHIC, build, document_date, page_decorator, styles, text
from app.core.services import get_municipality


def _table(rows: list[list[Flowable | str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), GOTHIC),
    ]))
    return table


def _head(reservation: Reservation, title: str) -> list[Flowable]:
    s = styles()
    slot = reservation.slot
    return [
        Paragraph(title, s["title"]),
        Paragraph(f"{text(reservation.family_name)} 様", s["body"]),
        Paragraph(f"亡くなった方：{text(reservation.deceased_name)} 様（{document_date(reservation.died_on)} ご逝去）",
                  s["body"]),
        Paragraph(f"ご予約：{document_date(slot.day)} {slot.starts:%H:%M}〜（予約番号 {reservation.number}）",
                  s["body"]),
        Spacer(1, 4 * mm),
    ]


def _build(reservation: Reservation, title: str, story: list[Flowable], by: User | None) -> bytes:
    city = get_municipality()
    city_name = city.name if city else ""
    audit.record("read", "bereavement_reservation", reservation.id, f"{title}を印刷（{reservation.number}）", by=by)
    return build(story, title, city_name, page_decorator(city_name, "おくやみコーナー", document_date(today())))


def guide_pdf(reservation: Reservation, *, by: User | None) -> bytes:
    """The procedures that apply, with their department and the documents to bring."""
    s = styles()
    cell, label = s["cell"], s["label"]
    rows: list[list[Flowable | str]] = [[Paragraph(h, label) for h in ("手続", "担当", "お持ちいただくもの")]]
    for item in reservation.items:
        rows.append([Paragraph(text(item.name), cell), Paragraph(text(item.department), cell),
                     Paragraph("、".join(text(d) for d in item.documents) or "—", cell)])
    story = _head(reservation, "おくやみ手続のご案内")
    story += [Paragraph("ご来庁の際は、次の手続をおくやみコーナーでご案内します。お持ちいただくものをご用意ください。"
                        "このほか、来庁される方の本人確認書類（運転免許証、マイナンバーカード等）をお持ちください。",
                        s["body"]), Spacer(1, 3 * mm),
              _table(rows, [70 * mm, 30 * mm, 74 * mm]), Spacer(1, 4 * mm),
              Paragraph("一覧は、住民記録と市の記録、お電話・予約ページでお伺いした内容から作成しています。"
                        "ほかに該当する手続がないか、当日も確認いたします。", s["small"])]
    return _build(reservation, "おくやみ手続のご案内", story, by)


def take_home_pdf(reservation: Reservation, *, by: User | None) -> bytes:
    """One sheet: what was done today, and what remains with where to go."""
    s = styles()
    cell, label = s["cell"], s["label"]
    done: list[list[Flowable | str]] = [[Paragraph(h, label) for h in ("本日受け付けた手続", "担当")]]
    remaining: list[list[Flowable | str]] = [[Paragraph(h, label) for h in ("残っている手続", "行き先", "ご説明")]]
    for item in reservation.items:
        if item.outcome is ItemOutcome.case_opened:
            done.append([Paragraph(text(item.name), cell), Paragraph(text(item.department), cell)])
        else:
            where = f"{item.department}（{derive.place_of(item.department)}）"
            note = (item.explained if item.outcome is ItemOutcome.handed_over
                    else "おくやみコーナーへお問い合わせください")
            remaining.append([Paragraph(text(item.name), cell), Paragraph(text(where), cell),
                              Paragraph(text(note), cell)])
    story = _head(reservation, "本日の手続と残りの手続")
    story += [_table(done, [110 * mm, 64 * mm]) if len(done) > 1
              else Paragraph("本日受け付けた手続はありません。", s["body"]),
              Spacer(1, 5 * mm),
              _table(remaining, [62 * mm, 56 * mm, 56 * mm]) if len(remaining) > 1
              else Paragraph("残っている手続はありません。", s["body"]),
              Spacer(1, 5 * mm),
              Paragraph("関係課へは、ご家族のお名前と本日ご説明した内容をお伝えしています。各課の窓口でこの用紙をお見せください。",
                        s["small"])]
    return _build(reservation, "本日の手続と残りの手続", story, by)
