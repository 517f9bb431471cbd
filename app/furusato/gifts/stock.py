"""Stock across portals (issue 18 §2, 004 §7(5)イ): each gift's stock is allocated per portal;
what is left on a portal is its allocation less the live donations for the gift on it. It is
counted from the donations themselves, so an imported file takes stock the moment it is
applied and an oversold portal shows at once (left below zero)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.gifts.models import GiftPortal, Supplier
from app.furusato.models import Donation, DonationState, Gift, Portal
from app.furusato.services import FurusatoError

LIVE = (DonationState.applied, DonationState.unpaid, DonationState.paid, DonationState.posted)


@dataclass(frozen=True)
class StockLine:
    gift: Gift
    portal: Portal
    portal_code: str
    allocated: int
    taken: int

    @property
    def left(self) -> int:
        return self.allocated - self.taken

    @property
    def oversold(self) -> bool:
        return self.left < 0

    @property
    def low(self) -> bool:
        """Near zero: the office tops it up or moves allocation before it runs out."""
        return 0 <= self.left <= self.gift.low_stock


def _taken(listing: GiftPortal, gift: Gift) -> int:
    codes = [gift.code] + ([listing.portal_code] if listing.portal_code else [])
    return int(db.session.scalar(select(func.coalesce(func.sum(Donation.quantity), 0)).where(
        Donation.portal_id == listing.portal_id, Donation.gift_code.in_(codes),
        Donation.status.in_(LIVE))) or 0)


def stock_lines(*, supplier: Supplier | None = None, gift: Gift | None = None) -> list[StockLine]:
    query = (select(GiftPortal, Gift, Portal).join(Gift, Gift.id == GiftPortal.gift_id)
             .join(Portal, Portal.id == GiftPortal.portal_id).order_by(Gift.code, Portal.sort_order, Portal.code))
    if supplier is not None:
        query = query.where(Gift.supplier_id == supplier.id)
    if gift is not None:
        query = query.where(Gift.id == gift.id)
    return [StockLine(g, p, listing.portal_code, listing.allocated, _taken(listing, g))
            for listing, g, p in db.session.execute(query)]


def warnings() -> list[StockLine]:
    """Every portal allocation that is oversold or near zero (for the work list and the page)."""
    return [line for line in stock_lines() if line.oversold or line.low]


def listing(gift: Gift, portal: Portal) -> GiftPortal:
    """The gift's row for the portal (its portal code and allocation), made when missing."""
    found = db.session.scalar(select(GiftPortal).where(GiftPortal.gift_id == gift.id,
                                                       GiftPortal.portal_id == portal.id))
    if found is None:
        found = GiftPortal(gift_id=gift.id, portal_id=portal.id, portal_code="", allocated=0)
        db.session.add(found)
        db.session.flush()
    return found


def allocate(gift: Gift, portal: Portal, allocated: int, by: User | None) -> GiftPortal:
    """Set a portal's allocation (the supplier's confirmed count spread over the portals)."""
    if allocated < 0:
        raise FurusatoError("在庫の配分は0以上で入力してください。", "allocated")
    row = listing(gift, portal)
    before, row.allocated = row.allocated, allocated
    audit.record("update", "furusato_gift", gift.id, f"在庫配分 {portal.name} {before}→{allocated}", by=by)
    return row


def move(gift: Gift, source: Portal, target: Portal, count: int, by: User | None) -> None:
    """Move `count` of a gift's stock from one portal's allocation to another's; refused when the
    source has fewer left than that (what was donated there stays taken)."""
    if source.id == target.id:
        raise FurusatoError("移動元と移動先のポータルが同じです。", "target")
    if count <= 0:
        raise FurusatoError("移動する数を1以上で入力してください。", "count")
    source_line = next((line for line in stock_lines(gift=gift) if line.portal.id == source.id), None)
    left = source_line.left if source_line else 0
    if left < count:
        raise FurusatoError(f"{source.name}の残りは{left}個です。{count}個は移動できません。", "count")
    src, dst = listing(gift, source), listing(gift, target)
    src.allocated -= count
    dst.allocated += count
    audit.record("update", "furusato_gift", gift.id, f"在庫移動 {source.name}→{target.name} {count}個", by=by)

