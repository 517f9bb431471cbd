"""Shipment lines (issue 18 §3): a paid, not cancelled donation for a gift becomes one line with
a snapshot of where it goes. A donor whose address is in the city gets no gift (004 §7(6)キ
「本市内に住所を有する寄附者に返礼品を送付しないこと。」): the line is made 送付不可 and
can never be ordered, whatever spelling of the address the portal sent (the import's own
home-area rule, suspects.HomeArea, decides)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.gifts.models import GiftPortal
from app.furusato.models import Donation, DonationState, FurusatoSettings, Gift
from app.furusato.services import FurusatoError
from app.furusato.shipping.models import LineSource, LineState, ShipmentLine, TimeBand
from app.furusato.suspects import HomeArea

SHIPPABLE = (DonationState.paid, DonationState.posted)
IN_CITY = "お届け先が本市の区域内です。市内在住者には返礼品を送付できません（仕様書 7(6)キ）。"
PAGE_SIZE = 50


def home_area() -> HomeArea | None:
    return HomeArea.from_settings(db.session.scalar(select(FurusatoSettings).limit(1)))


def in_city(postal_code: str, address: str, home: HomeArea | None) -> bool:
    return home is not None and home.contains(postal_code, address)


@dataclass
class Collected:
    created: int = 0
    blocked: int = 0
    skipped: list[str] = field(default_factory=list)  # donations left out, and why


def _gift_codes() -> dict[tuple[int | None, str], Gift]:
    """(portal id or None, code) → gift: the master's code on any portal, a portal's own code there."""
    gifts = {g.id: g for g in db.session.scalars(select(Gift))}
    out: dict[tuple[int | None, str], Gift] = {(None, g.code): g for g in gifts.values()}
    for listing in db.session.scalars(select(GiftPortal).where(GiftPortal.portal_code != "")):
        out[(listing.portal_id, listing.portal_code)] = gifts[listing.gift_id]
    return out


def collect(by: User | None) -> Collected:
    """Make the lines of every paid donation for a gift that has none yet."""
    result = Collected()
    home, codes = home_area(), _gift_codes()
    has_line = select(ShipmentLine.id).where(ShipmentLine.donation_id == Donation.id).exists()
    donations = db.session.scalars(select(Donation).where(
        Donation.status.in_(SHIPPABLE), Donation.gift_code != "", ~has_line).order_by(Donation.id))
    for donation in donations:
        gift = codes.get((donation.portal_id, donation.gift_code)) or codes.get((None, donation.gift_code))
        if gift is None or gift.supplier_id is None:
            result.skipped.append(f"{donation.order_id}：返礼品「{donation.gift_code}」が返礼品の一覧にないか、"
                                  "提供事業者が決まっていません。")
            continue
        if len(nz.postal_digits(donation.postal_code)) != 7:
            result.skipped.append(f"{donation.order_id}：お届け先の郵便番号がありません。")
            continue
        line = ShipmentLine(donation_id=donation.id, gift_id=gift.id, supplier_id=gift.supplier_id,
                            quantity=donation.quantity or 1, source=LineSource.donation, reference=donation.order_id,
                            name=donation.name, postal_code=nz.format_postal(nz.postal_digits(donation.postal_code)),
                            address=donation.address, phone=donation.phone, email=donation.email)
        block_in_city(line, home)
        db.session.add(line)
        result.created += 1
        result.blocked += line.state == LineState.blocked
    db.session.flush()
    if result.created:
        audit.record("create", "furusato_shipment_line", "list",
                     f"出荷明細の作成 {result.created}件（うち送付不可{result.blocked}件）", by=by)
    return result


def block_in_city(line: ShipmentLine, home: HomeArea | None) -> None:
    if in_city(line.postal_code, (line.address or "") + (line.building or ""), home):
        line.state, line.blocked_reason = LineState.blocked, IN_CITY


@dataclass
class ShipToInput:
    name: str
    postal_code: str
    address: str
    building: str = ""
    phone: str = ""
    wish_date: date | None = None
    time_band: str = ""


def ship_to_problems(data: ShipToInput, prefix: str = "") -> list[Problem]:
    problems: list[Problem] = []
    if not data.name.strip():
        problems.append(Problem("name", f"{prefix}お届け先の氏名を入力してください。"))
    digits = nz.postal_digits(data.postal_code)
    if not digits:
        problems.append(Problem("postal_code", f"{prefix}お届け先の郵便番号がありません。"))
    elif len(digits) != 7 or nz.postal_area(digits) is None:
        problems.append(Problem("postal_code", f"{prefix}お届け先の郵便番号「{data.postal_code}」は正しくありません。"))
    if not data.address.strip():
        problems.append(Problem("address", f"{prefix}お届け先の住所を入力してください。"))
    if data.time_band and not TimeBand.has(data.time_band):
        problems.append(Problem("time_band", f"{prefix}配達時間帯「{data.time_band}」は選べません"
                                f"（{'、'.join(t.value for t in TimeBand)}）。"))
    return problems


def change_ship_to(line: ShipmentLine, data: ShipToInput, by: User | None) -> ShipmentLine:
    """Change where an unordered line goes, or the wished date and time band."""
    problems = ship_to_problems(data)
    if line.state not in (LineState.open, LineState.blocked):
        problems.append(Problem("", f"出荷明細 L{line.id} は{line.state.label}のため変更できません。"))
    if problems:
        raise FurusatoError.of(problems)
    line.name, line.address = data.name.strip(), data.address.strip()
    line.building, line.phone = data.building, data.phone
    line.postal_code = nz.format_postal(nz.postal_digits(data.postal_code))
    line.wish_date, line.time_band = data.wish_date, data.time_band
    line.state, line.blocked_reason = LineState.open, ""
    block_in_city(line, home_area())
    audit.record("update", "furusato_shipment_line", line.id, "お届け先・お届け希望の変更", by=by)
    return line


def lines(state: str | None = None, page: int = 1, supplier_id: int | None = None) -> tuple[list[ShipmentLine], int]:
    query = select(ShipmentLine)
    if state:
        query = query.where(ShipmentLine.state == state)
    if supplier_id:
        query = query.where(ShipmentLine.supplier_id == supplier_id)
    count = int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.session.scalars(query.order_by(ShipmentLine.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return list(rows), count


def counts() -> dict[str, int]:
    rows = db.session.execute(select(ShipmentLine.state, func.count()).group_by(ShipmentLine.state))
    return {str(state): int(n) for state, n in rows}


def shown(line: ShipmentLine, *, by: User) -> None:
    """A line's page shows its ship-to (a person's name and address): an audited read."""
    audit.record("read", "furusato_shipment_line", line.id, "出荷明細", by=by)
