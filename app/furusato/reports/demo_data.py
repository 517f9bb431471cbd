"""The reporting parts' demo data (app/furusato/demo.py calls `load`): inquiries to the call
centre (one of them a demo donor's, so the donor's timeline shows it), last month's strategy
meeting, and a donation older than its retention period, so the retention page has something
to dispose of."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.dates import now, today
from app.extensions import db
from app.furusato import services
from app.furusato.calls.models import Inquiry
from app.furusato.models import Donation, Donor
from app.furusato.reports.models import StrategyMeeting
from app.furusato.reports.services import previous_month

# (days ago, channel, category, state, what was said, what was done)
INQUIRIES = (
    (3, "phone", "gift", "closed", "返礼品のりんごがまだ届かない", "事業者に確認し、明日発送と回答"),
    (10, "email", "one_stop", "closed", "ワンストップ特例申請書の書き方を知りたい", "記入例を案内"),
    (25, "phone", "complaint", "follow_up", "届いた牛肉が傷んでいた", "事業者に状況確認を依頼、折り返し予定"),
    (40, "mail", "donation", "open", "郵便振替の用紙を送ってほしい", ""),
)


def load() -> None:
    operator = db.session.scalar(select(User).where(User.username == "furusato"))
    if db.session.scalar(select(Inquiry.id).limit(1)) is None:
        sasaki = db.session.scalar(select(Donor).where(Donor.name == "佐々木 健").limit(1))
        for number, (days, channel, category, state, said, done) in enumerate(INQUIRIES):
            db.session.add(Inquiry(received_at=now() - timedelta(days=days, hours=2), taken_by=operator,
                                   channel=channel, caller_kind="donor", category=category, said=said, done=done,
                                   state=state, donor_id=sasaki.id if sasaki and number == 0 else None,
                                   caller_name="" if number == 0 else "（デモ）",
                                   follow_up_on=today() + timedelta(days=2) if state == "follow_up" else None,
                                   closed_at=now() if state == "closed" else None))
    month = previous_month(today())
    if db.session.scalar(select(StrategyMeeting.id).limit(1)) is None:
        db.session.add(StrategyMeeting(held_on=month + timedelta(days=14), title="年末に向けた寄附獲得策",
                                       attendees="市：ふるさと納税係 恵／受託者：寄附 統括 健",
                                       decisions="12月のポータル特集に牛肉・りんごを掲載する",
                                       actions="特集の原稿を受託者が作成（月末まで）",
                                       created_by_id=operator.id if operator else None))
    _old_donation()


def _old_donation() -> None:
    """A phone donation of six years ago: past the default five-year period."""
    if db.session.scalar(select(Donation.id).where(Donation.order_id == "DEMO-OLD-1")) is not None:
        return
    day = today().replace(year=today().year - 6, day=1)
    portal = services.portal_by_code(services.DIRECT)
    assert portal is not None
    donor = Donor(name="古川 昔子", kana="フルカワ ムカシコ", phone="0191000000", postal_code="0210000",
                  prefecture="岩手県", address="岩手県一関市大手町1-1")
    db.session.add(donor)
    db.session.flush()
    db.session.add(Donation(portal_id=portal.id, order_id="DEMO-OLD-1", channel="phone", donor_id=donor.id,
                            applied_at=datetime.combine(day, datetime.min.time()), applied_on=day, paid_on=day,
                            amount=10_000, payment_method="postal", status="posted", name=donor.name, kana=donor.kana,
                            phone=donor.phone, postal_code=donor.postal_code, prefecture=donor.prefecture,
                            address=donor.address, notes="保存期間を過ぎた記録（デモ）"))

