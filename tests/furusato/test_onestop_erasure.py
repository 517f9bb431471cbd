"""Erasure of the one-stop numbers and images after the retention period (番号法第20条;
特記事項 §12) as a kind of the donation office's disposal: due only once handed over and the
city's period passed, erased only after the city's approval, recorded without the numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.onestop import applications, eltax, review
from app.furusato.onestop.models import OneStopApplication, OneStopImage
from app.furusato.retention import services as retention
from app.staff import disposal, documents
from app.staff.models import DisposalKind, DisposalRequest, DisposalState
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, YEAR, form, paid_donation

PDF = b"%PDF-1.4 scanned page"


def test_numbers_and_images_are_erased_only_after_handover_period_and_approval(furusato, make_user,
                                                                               tmp_path) -> None:
    supervisor, city = make_user("supervisor", "s1"), make_user("city_staff", "c1")
    for person in PEOPLE[:2]:
        paid_donation(person, 10_000)
    old = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=None, images=[("application/pdf", PDF)])
    new = applications.receive(form(PEOPLE[1], NUMBERS[1]), by=None, images=[("application/pdf", PDF)])
    for a in (old, new):
        review.accept(a, by=None)
    db.session.commit()
    with pytest.raises(disposal.DisposalRefused):  # nothing handed over yet: nothing is due
        disposal.apply("furusato", retention.default_input(DisposalKind.onestop), by=supervisor)
    eltax.build(YEAR, tmp_path, by=None, lists=False)
    for handover in eltax.handovers(YEAR):
        eltax.record_handover(handover, "eLTAX", by=supervisor)
    handed = {h.home_code: h for h in eltax.handovers(YEAR)}
    handed[old.home_code].handed_at -= timedelta(days=366 * 6)  # 盛岡市's file: handed over six years ago
    db.session.commit()

    request = disposal.apply("furusato", retention.default_input(DisposalKind.onestop), by=supervisor)
    assert request.count == 1 and "個人番号" in request.medium
    with pytest.raises(disposal.DisposalRefused):
        disposal.start(request, by=supervisor)  # not before the city's approval
    assert db.session.get(OneStopApplication, old.id).number_cipher is not None
    disposal.decide(request, True, "承認します", by=city)
    disposal.start(request, by=supervisor)
    db.session.commit()

    request = db.session.get(DisposalRequest, request.id, populate_existing=True)
    assert (request.state, request.disposed_records, request.deleted_files) == (DisposalState.done, 1, 1)
    gone = db.session.get(OneStopApplication, old.id, populate_existing=True)
    assert (gone.number_cipher, gone.number_tail, gone.masked_number) == (None, "", "")
    assert gone.number_erased_at is not None and gone.state.value == "accepted"
    image = db.session.scalars(select(OneStopImage).where(OneStopImage.application_id == old.id)).one()
    assert image.cipher is None and image.erased_at is not None
    kept = db.session.get(OneStopApplication, new.id, populate_existing=True)
    assert kept.number_cipher is not None and kept.masked_number.endswith(NUMBERS[1][-4:])
    details = " ".join(db.session.scalars(select(AuditEntry.detail).where(
        AuditEntry.object_type.in_((disposal.SUBJECT, "furusato_onestop_erasure")))))
    assert "個人番号1件・画像1件を消去" in details and not any(n in details for n in NUMBERS)
    record = documents.disposal_pdf(request, by=city)  # items, medium, count, method, date, who: for the city
    assert record.startswith(b"%PDF")
    assert retention.overview(date.today())[[k.kind for k in retention.overview(date.today())]
                                            .index(DisposalKind.onestop)].due == 0
