"""郵便物の戻り (issue 16 §4): a posted receipt certificate that the post brought back.

The office scans or types the number printed on the certificate and records why it came back.
A return is of the whole envelope: every certificate of that donor in that batch. It stays open
as the donor's follow-up task, a call to confirm the address (004 §7(4)エ: 「発送後、住所不明等
での戻り分については、電話等による住所確認作業を行い、速やかに再発送すること。」).
The call ends in one of three ways, each closing the return:

- the address is corrected: a correction of each donation in the envelope (修正登録, the same
  history with the old address, who, when and why: services.correct_donation; the donor's
  record follows the latest donation as it does for every correction), and a 再発行 of each
  certificate (certificate_numbers.reissue: the same number, batch "" — the next batch prints
  it marked 再発行, to the donation's address as corrected);
- 連絡つかず or 再送不要, with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import Select, func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year, now, today
from app.core.refusal import Problem
from app.extensions import db
from app.furusato import certificate_numbers, payments, services
from app.furusato import normalize as nz
from app.furusato.models import Certificate, CorrectionSource, Donation, Donor
from app.furusato.returns_models import ReturnedItem, ReturnedMail, ReturnOutcome, ReturnReason
from app.furusato.services import FurusatoError

PAGE_SIZE = 50
FIX_ON_THE_DONATION = "（寄附の「修正を登録」で直してから、結果を記録してください）"
# What the certificate prints (「2026年度 第123号」, or in 和暦 「令和8年度 第123号」), a barcode's
# 2026-123, or the number alone, after the form layer's fold (NFKC, no spaces, one dash).
_NUMBER = re.compile(r"(?:(?P<year>\d{4})(?:年度|-)|令和(?P<reiwa>\d{1,2}|元)年度)?第?(?P<number>\d{1,9})号?")
REIWA_BEFORE_ONE = 2018  # 令和元年度 is the fiscal year 2019 (April 2019 - March 2020)


def certificate_label(certificate: Certificate) -> str:
    """The number as the certificate prints it."""
    return f"{certificate.fiscal_year}年度 第{certificate.number}号"


def parse_number(text: str, default_year: int | None) -> tuple[int, int] | None:
    """(年度, 番号) from the folded text; the year from the text, else `default_year`."""
    found = _NUMBER.fullmatch(text or "")
    if found is None:
        return None
    if found["reiwa"]:
        year: int | None = REIWA_BEFORE_ONE + (1 if found["reiwa"] == "元" else int(found["reiwa"]))
    else:
        year = int(found["year"]) if found["year"] else default_year
    return (year, int(found["number"])) if year else None


# --- recording a return --------------------------------------------------------------------

@dataclass
class ReturnInput:
    """A return as the office scans or types it."""

    certificate: str  # the printed number, folded by the form
    fiscal_year: int | None  # for a number typed alone
    reason: str
    reason_note: str


def _printed(year: int, number: int) -> Certificate | None:
    """The latest printed certificate of that number: the original, or its latest printed 再発行
    (one waiting for its batch has not been posted, so it cannot have come back)."""
    return db.session.scalar(select(Certificate).where(
        Certificate.fiscal_year == year, Certificate.number == number, Certificate.batch != "")
        .order_by(Certificate.id.desc()).limit(1))


def envelope_of(certificate: Certificate) -> list[Certificate]:
    """The certificates posted in one envelope with this one: the donor's in the same batch."""
    return list(db.session.scalars(select(Certificate).where(
        Certificate.donor_id == certificate.donor_id, Certificate.batch == certificate.batch)
        .order_by(Certificate.fiscal_year, Certificate.number, Certificate.id)))


def _lock_donor(donor_id: int) -> None:
    """Two clerks scanning one envelope: the second waits, then finds the first one's return."""
    db.session.scalar(select(Donor.id).where(Donor.id == donor_id).with_for_update())


def _earlier_return(envelope: list[Certificate]) -> ReturnedMail | None:
    return db.session.scalar(select(ReturnedMail).join(ReturnedItem).where(
        ReturnedItem.certificate_id.in_([c.id for c in envelope])).order_by(ReturnedMail.id.desc()).limit(1))


def _found(data: ReturnInput, problems: list[Problem]) -> tuple[Certificate, list[Certificate]] | None:
    """The scanned certificate and its envelope, or None with the problem added."""
    parsed = parse_number(data.certificate, data.fiscal_year)
    if not data.certificate:
        problems.append(Problem("certificate", "証明書番号を入力してください（例：2026年度 第123号）。"))
        return None
    if parsed is None and parse_number(data.certificate, 1) is not None:
        problems.append(Problem("fiscal_year", "番号だけを入力するときは、年度を入力してください。"))
        return None
    if parsed is None:
        problems.append(Problem("certificate", f"証明書番号「{data.certificate}」を読み取れません。"
                                               "「2026年度 第123号」の形か、番号の数字で入力してください。"))
        return None
    year, number = parsed
    certificate = _printed(year, number)
    if certificate is None:
        problems.append(Problem("certificate", f"証明書番号「{year}年度 第{number}号」の受領証明書はありません。"
                                               "年度と番号を確かめてください。"))
        return None
    _lock_donor(certificate.donor_id)
    if certificate.posted_at is None:
        problems.append(Problem("certificate", f"{certificate_label(certificate)}は発送の記録がありません"
                                               "（発送済みの確認がされていない受領証明書です）。"))
        return None
    envelope = envelope_of(certificate)
    earlier = _earlier_return(envelope)
    if earlier is not None:
        state = "対応中です" if earlier.is_open else f"{earlier.closed_at:%Y-%m-%d}に対応済みです"
        problems.append(Problem("certificate", f"{certificate_label(certificate)}の戻りは"
                                               f"{earlier.returned_on:%Y-%m-%d}に記録され、{state}。"))
        return None
    return certificate, envelope


def record_return(data: ReturnInput, by: User | None) -> ReturnedMail:
    """Record an envelope that came back; every problem is refused at once and nothing changes."""
    problems: list[Problem] = []
    found = _found(data, problems)
    if not ReturnReason.has(data.reason):
        problems.append(Problem("reason", "戻りの理由を選んでください。"))
    elif data.reason == ReturnReason.other and not data.reason_note.strip():
        problems.append(Problem("reason_note", "理由が「その他」のときは、その内容を入力してください。"))
    if problems:
        raise FurusatoError.of(problems)
    assert found is not None
    certificate, envelope = found
    note = data.reason_note.strip() if data.reason == ReturnReason.other else ""
    returned = ReturnedMail(certificate_id=certificate.id, donor_id=certificate.donor_id, reason=data.reason,
                            reason_note=note, returned_on=today(), recorded_by=by,
                            items=[ReturnedItem(certificate_id=c.id) for c in envelope])
    db.session.add(returned)
    db.session.flush()
    for item in envelope:
        audit.record("update", "furusato_donation", item.donation_id,
                     f"受領証明書の戻り {certificate_label(item)}（{returned.reason_text}）", by=by)
    return returned


# --- the follow-up list --------------------------------------------------------------------

@dataclass(frozen=True)
class OpenLine:
    returned: ReturnedMail
    donor: Donor
    age: int  # days since it came back


@dataclass(frozen=True)
class OpenPage:
    rows: list[OpenLine]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def _open() -> Select[tuple[ReturnedMail]]:
    return select(ReturnedMail).where(ReturnedMail.closed_at.is_(None))


def open_count() -> int:
    """How many returns wait for their follow-up (the office's work list)."""
    return int(db.session.scalar(select(func.count()).select_from(_open().subquery())) or 0)


def open_returns(day: date, page: int = 1, *, by: User | None) -> OpenPage:
    """One page of the open returns, the oldest first, with their age in days on `day` and the
    count of all; a read of each donor shown (name and phone)."""
    count = int(db.session.scalar(select(func.count()).select_from(_open().subquery())) or 0)
    page = min(max(1, page), max(1, -(-count // PAGE_SIZE)))
    shown = list(db.session.scalars(_open().order_by(ReturnedMail.returned_on, ReturnedMail.id)
                                    .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    rows = [OpenLine(r, r.donor, (day - r.returned_on).days) for r in shown]
    audit.read_list("furusato_donor", (r.donor_id for r in shown), f"郵便物の戻り（未対応、{page}ページ）", by=by)
    return OpenPage(rows, count, page)


def read_return(return_id: int, *, by: User | None) -> ReturnedMail | None:
    """A return with its donor's contact data, audited as a read of the donor."""
    returned = db.session.get(ReturnedMail, return_id)
    if returned is not None:
        audit.record("read", "furusato_donor", returned.donor_id,
                     f"{returned.donor.name}（郵便物の戻り #{returned.id}）", by=by)
    return returned


def of_donor(donor: Donor) -> list[ReturnedMail]:
    """The donor's returns, the open ones first, then the newest (for the donor's page)."""
    return list(db.session.scalars(select(ReturnedMail).where(ReturnedMail.donor_id == donor.id).order_by(
        ReturnedMail.closed_at.is_not(None), ReturnedMail.returned_on.desc(), ReturnedMail.id.desc())))


def donation_of(certificate: Certificate) -> Donation:
    donation = db.session.get(Donation, certificate.donation_id)
    assert donation is not None
    return donation


# --- closing a return ----------------------------------------------------------------------

@dataclass
class OutcomeInput:
    """How the call to the donor ended: the corrected address, or why there is no resend."""

    outcome: str
    postal_code: str
    address: str
    note: str


def _address_correction(donation: Donation, data: OutcomeInput, why: str) -> services.CorrectionInput:
    """The donation's correction (修正登録) that changes its postal code and address alone."""
    kept = {f.name: getattr(donation, f.name) for f in fields(services.Correctable)}
    return services.CorrectionInput(**{**kept, "postal_code": data.postal_code, "address": data.address},
                                    reason=why, channel="phone", source=CorrectionSource.donor_request)


def still_to_send(returned: ReturnedMail) -> list[Donation]:
    """The donations the confirmed address is for: those of the envelope, and the donor's others
    at the address that came back which have no certificate yet (the next batch would post them
    there, in the same envelope as the 再発行)."""
    envelope = [donation_of(item.certificate) for item in returned.items]
    first = envelope[0]
    issued = select(Certificate.id).where(Certificate.donation_id == Donation.id).exists()
    waiting = db.session.scalars(select(Donation).where(
        Donation.donor_id == first.donor_id, ~issued, Donation.status.not_in(payments.CLOSED),
        Donation.postal_code == first.postal_code, Donation.address == first.address).order_by(Donation.id))
    return envelope + [d for d in waiting if d not in envelope]


def _at(postal_code: str, address: str) -> tuple[str, str]:
    return nz.postal_digits(postal_code), nz.clean_address(address)


def _correct_and_reissue(returned: ReturnedMail, data: OutcomeInput, by: User | None) -> None:
    """Correct the address of every donation still to be sent, then reissue the envelope's
    certificates; one refusal with every problem, naming the donation for a field of it that
    this form does not have (the donation's own 修正登録 fixes that)."""
    why = f"受領証明書の戻り（{returned.reason_text}）：寄附者に電話で住所を確認" + (
        f"。{data.note.strip()}" if data.note.strip() else "")
    confirmed = _at(data.postal_code, data.address)
    donations = [d for d in still_to_send(returned) if _at(d.postal_code, d.address) != confirmed]
    if not any(d.id == item.certificate.donation_id for d in donations for item in returned.items):
        raise FurusatoError("住所が戻った受領証明書の宛先と同じです。確認した住所を入力してください。", "address")
    problems: list[Problem] = []
    for donation in donations:
        try:
            services.correct_donation(donation, _address_correction(donation, data, why), by)
        except FurusatoError as exc:
            for p in exc.problems:
                problem = p if p.field in ("postal_code", "address") else Problem(
                    "outcome", f"寄附 {donation.order_id}：{p.message}{FIX_ON_THE_DONATION}")
                if problem not in problems:
                    problems.append(problem)
    if problems:
        raise FurusatoError.of(problems)
    for item in returned.items:
        item.reissue = certificate_numbers.reissue(item.certificate, by=by)


def close_return(returned: ReturnedMail, data: OutcomeInput, by: User | None) -> ReturnedMail:
    """Close the follow-up: correct the address and send every certificate of the envelope again
    (waiting for the next batch), or close it as 連絡つかず / 再送不要 with a note. Refused with
    every problem at once; nothing changes then (the request rolls back what was flushed)."""
    problems: list[Problem] = []
    if not returned.is_open:
        problems.append(Problem("outcome", "この戻りは既に対応済みです。"))
    elif not ReturnOutcome.has(data.outcome):
        problems.append(Problem("outcome", "対応の結果を選んでください。"))
    elif data.outcome == ReturnOutcome.corrected:
        for name, label in (("postal_code", "郵便番号"), ("address", "住所")):
            if not getattr(data, name).strip():
                problems.append(Problem(name, f"確認した{label}を入力してください。"))
    elif not data.note.strip():
        problems.append(Problem("note", f"「{ReturnOutcome(data.outcome).label}」のときは、経緯を入力してください。"))
    if problems:
        raise FurusatoError.of(problems)
    if data.outcome == ReturnOutcome.corrected:
        _correct_and_reissue(returned, data, by)
    returned.outcome, returned.outcome_note = ReturnOutcome(data.outcome), data.note.strip()
    returned.closed_at, returned.closed_by = now(), by
    db.session.flush()
    for item in returned.items:
        audit.record("update", "furusato_donation", item.certificate.donation_id,
                     f"受領証明書の戻りに対応 {certificate_label(item.certificate)}："
                     f"{returned.outcome.label}" + (f"（{returned.outcome_note}）" if returned.outcome_note else ""),
                     by=by)
    return returned


def default_year() -> int:
    """The fiscal year a number typed alone is taken in: this one."""
    return fiscal_year(today())
