"""Demo one-stop applications (issue 17 Shows): for the year's paid one-stop donations of the
demo, applications in every state — received, deficient, accepted (some acknowledged), withdrawn —
so that `flask furusato one-stop eltax --year YYYY` writes files on a fresh demo. The numbers are
made up (valid check digits, 9 as their first digit so they read as demo numbers)."""

from __future__ import annotations

from sqlalchemy import extract, select

from app.core.dates import now, today
from app.extensions import db
from app.furusato.models import Donation
from app.furusato.onestop import applications, review
from app.furusato.onestop.models import NoticeMethod, OneStopApplication
from hardware.card_reader.my_number import make_my_number

# The state each application is left in, in turn.
PLAN = ("accepted", "received", "deficient", "accepted", "accepted_ack", "withdrawn", "received", "accepted")


def load() -> None:
    if db.session.scalar(select(OneStopApplication.id).limit(1)) is not None:
        return
    year = today().year
    seen: set[int] = set()
    donations = db.session.scalars(select(Donation).where(
        Donation.one_stop.is_(True), Donation.paid_on.is_not(None), extract("year", Donation.paid_on) == year,
        Donation.birth_date.is_not(None)).order_by(Donation.id))
    made = 0
    for donation in donations:
        if donation.donor_id in seen or made >= len(PLAN):
            continue
        seen.add(donation.donor_id)
        step = PLAN[made]
        data = applications.IntakeInput(
            tax_year=year, received_on=today(), name=donation.name, kana=donation.kana, birth_date=donation.birth_date,
            gender="女" if made % 2 else "男", postal_code=donation.postal_code, address=donation.address,
            phone=donation.phone, email=donation.email, number=make_my_number(f"9{donation.id:010d}"),
            documents=["notification_card"] if step == "deficient" else ["card_front", "card_back"],
            declared_no_return=True, declared_five_or_fewer=True, form_complete=True)
        try:
            application = applications.receive(data, by=None)
        except applications.OneStopError:
            continue  # an address the demo's generator made that Japan Post does not know
        made += 1
        if step == "deficient":
            review.mark_deficient(application, "identity_document", "身元確認書類の写しが1点のみ", by=None)
        elif step.startswith("accepted") and review.passes(application):
            review.accept(application, by=None)
            if step == "accepted_ack":
                application.acknowledged_at, application.ack_method = now(), NoticeMethod.post
        elif step == "withdrawn":
            applications.withdraw(application, today(), "確定申告をするとの連絡（デモ）", by=None)
    db.session.commit()
