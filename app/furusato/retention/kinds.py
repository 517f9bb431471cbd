"""Each kind of record with a retention period: how its age is read, how many have passed the
period, and how they are disposed of so that nothing personal remains (004 特記事項 §12(5)).

- 寄附の記録: a donation past its period is anonymised, not deleted — its amount, dates, portal,
  gift, use and prefecture stay for the programme's statistics and the certificates' numbers;
  the person's name, kana, birth date, phone, e-mail, postal code, address and notes are
  blanked, the corrections (which hold old and new personal values) and the notes of the
  follow-up of its suspects and returned mail are deleted or blanked; a donor none of whose
  donations keeps personal data is blanked too; uploaded portal files and the files made from
  them (exports, print batches) of before the day are deleted.
- 問い合わせの記録: deleted.
- ワンストップ特例申請の個人番号・画像: erased once handed over (app/furusato/onestop/erasure.py,
  番号法第20条).

Add a kind: a member of DisposalKind in RETAINED, and one entry of KINDS (services.py makes it
a kind of app/staff/disposal.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, delete, exists, func, or_, select, update

from app.extensions import db
from app.furusato.batch_models import CertificateBatch
from app.furusato.calls.models import Inquiry
from app.furusato.certificate_batches import file_name
from app.furusato.models import (
    Correction,
    Donation,
    Donor,
    ImportBatch,
    ImportFile,
    ImportIssue,
    SuspectContact,
    SuspectFlag,
)
from app.furusato.onestop import erasure
from app.furusato.onestop.models import OneStopApplication
from app.furusato.returns_models import ReturnedMail
from app.staff.disposal import Disposed
from app.staff.models import DisposalKind
from app.tasks import files
from app.tasks.models import Task


@dataclass(frozen=True)
class Aged:
    due: Callable[[date], ColumnElement[bool]]  # the records older than the day, still to dispose of
    age: object  # the column whose oldest value the sweep reports
    model: type
    dispose: Callable[[date], Disposed]
    medium: str
    method: str = "データベースから削除"


def _personal(model: type) -> ColumnElement[bool]:
    """A donation or donor that still holds personal data."""
    return or_(model.name != "", model.kana != "", model.phone != "", model.email != "",  # type: ignore[attr-defined]
               model.postal_code != "", model.address != "", model.birth_date.is_not(None))  # type: ignore[attr-defined]


def _donation_due(before: date) -> ColumnElement[bool]:
    return and_(Donation.applied_on < before, _personal(Donation))


BLANK = {"name": "", "kana": "", "birth_date": None, "phone": "", "email": "", "postal_code": "", "address": ""}


def _dispose_donations(before: date) -> Disposed:
    ids = select(Donation.id).where(_donation_due(before)).scalar_subquery()
    donor_ids = set(db.session.scalars(select(Donation.donor_id).where(_donation_due(before)).distinct()))
    db.session.execute(delete(Correction).where(Correction.donation_id.in_(ids)))
    flags = select(SuspectFlag.id).where(SuspectFlag.donation_id.in_(ids)).scalar_subquery()
    db.session.execute(delete(SuspectContact).where(SuspectContact.flag_id.in_(flags)))
    db.session.execute(update(SuspectFlag).where(SuspectFlag.donation_id.in_(ids)).values(detail="", clear_note=""))
    count = db.session.execute(update(Donation).where(Donation.id.in_(ids)).values(**BLANK, notes="")).rowcount or 0
    still = exists().where(Donation.donor_id == Donor.id, _personal(Donation))
    db.session.execute(update(Donor).where(Donor.id.in_(donor_ids), ~still).values(
        **BLANK, kana_key="", key_birth=None, key_phone=None, key_address=None, key_postal=None, phone_key=None))
    gone = select(Donor.id).where(Donor.id.in_(donor_ids), ~still)
    db.session.execute(update(ReturnedMail).where(ReturnedMail.donor_id.in_(gone)).values(reason_note="",
                                                                                          outcome_note=""))
    start = datetime.combine(before, time.min)
    uploads = select(ImportFile.id).where(ImportFile.uploaded_at < start).scalar_subquery()
    db.session.execute(update(ImportBatch).where(ImportBatch.file_id.in_(uploads)).values(file_id=None))
    db.session.execute(update(ImportIssue).where(ImportIssue.batch_id.in_(
        select(ImportBatch.id).where(ImportBatch.started_at < start))).values(value=""))
    db.session.execute(delete(ImportFile).where(ImportFile.uploaded_at < start))
    made = [*db.session.scalars(select(Task.id).where(Task.programme == "furusato", Task.created_at < start)),
            *(file_name(b) for b in db.session.scalars(select(CertificateBatch.id).where(
                CertificateBatch.created_at < start)))]
    return Disposed(count, files.remove_of(made))


def _inquiry_due(before: date) -> ColumnElement[bool]:
    return Inquiry.received_at < datetime.combine(before, time.min)


def _dispose_inquiries(before: date) -> Disposed:
    return Disposed(db.session.execute(delete(Inquiry).where(_inquiry_due(before))).rowcount or 0, 0)


def _erase_onestop(before: date) -> Disposed:
    applications, images = erasure.erase(before)
    return Disposed(applications, images)


KINDS: dict[DisposalKind, Aged] = {
    DisposalKind.donation: Aged(_donation_due, Donation.applied_on, Donation, _dispose_donations,
                              "データベース（寄附・寄附者の記録）、取込ファイル、出力ファイル",
                              "個人情報の項目を消去（匿名化）し、取込ファイル・出力ファイルを削除"),
    DisposalKind.onestop: Aged(erasure.due, OneStopApplication.handed_over_at, OneStopApplication, _erase_onestop,
                             erasure.MEDIUM, erasure.METHOD),
    DisposalKind.inquiry: Aged(_inquiry_due, Inquiry.received_at, Inquiry, _dispose_inquiries,
                             "データベース（問い合わせの記録）"),
}


def due_count(kind: DisposalKind, before: date) -> tuple[int, date | None]:
    """How many records of the kind passed their period, and the oldest one's date."""
    spec = KINDS[kind]
    count, oldest = db.session.execute(select(func.count(), func.min(spec.age)).select_from(spec.model)
                                       .where(spec.due(before))).one()
    if isinstance(oldest, datetime):
        oldest = oldest.date()
    return int(count), oldest
