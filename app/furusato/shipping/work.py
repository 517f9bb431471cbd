"""The home work list's lines of gifts and shipping (STYLE rule 20): lines to order, parcels
without a tracking number, delivery e-mails not yet sent or bounced, stock near zero or
oversold, and for the city the gifts waiting for its approval and the complaints."""

from __future__ import annotations

from sqlalchemy import func, select

from app.core.work_line import WorkLine
from app.extensions import db
from app.furusato.gifts import stock
from app.furusato.models import Gift, GiftState
from app.furusato.shipping import delivery_mail
from app.furusato.shipping.lines import counts
from app.furusato.shipping.models import LineState, MailState, ShipmentLine, ShippingProblem

GROUP = "ふるさと納税"


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[call-overload]


def lines() -> list[WorkLine]:
    by_state = counts()
    bounced = _count(select(func.count()).select_from(ShipmentLine).where(ShipmentLine.mail_state == MailState.bounced))
    return [
        WorkLine("返礼品（未発注の出荷明細）", by_state.get(LineState.open, 0), "furusato.shipping",
                 {"state": LineState.open.value}, group=GROUP),
        WorkLine("返礼品（発注済・伝票番号待ち）", by_state.get(LineState.ordered, 0), "furusato.shipping",
                 {"state": LineState.ordered.value}, group=GROUP),
        WorkLine("発送連絡メール（送信待ち）", delivery_mail.waiting_count(), "furusato.shipping", group=GROUP),
        WorkLine("発送連絡メール（不達）", bounced, "furusato.shipping", group=GROUP),
        WorkLine("返礼品の在庫（残りわずか・超過）", len(stock.warnings()), "furusato.gift_list", group=GROUP),
    ]


def city_lines() -> list[WorkLine]:
    proposed = _count(select(func.count()).select_from(Gift).where(Gift.state == GiftState.proposed))
    complaints = _count(select(func.count()).select_from(ShippingProblem).where(ShippingProblem.complaint.is_(True)))
    return [WorkLine("返礼品（市の承認待ち）", proposed, "furusato.gift_list", group=GROUP),
            WorkLine("配送の苦情", complaints, "furusato.shipping_problems", group=GROUP)]
