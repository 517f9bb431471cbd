"""印鑑登録証明書 (000 §6(2)): issued on presentation of the card, with its fee as a register
bill; the register's hooks record the payment here (app/seal/models.py says how the domains meet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.auth import audit
from app.auth.models import User
from app.core.services import get_municipality
from app.extensions import db
from app.register import services as register
from app.register.fees import Item, rates_on
from app.register.models import Bill, Payment
from app.seal import documents
from app.seal.models import SealCertificate, SealRecord
from app.seal.services import SealError, pending_ending, record_by_card

#: 手数料条例: 印鑑登録証明書 1通 300円, collected at the register under this code.
CERTIFICATE_FEE = 300
CERTIFICATE_FEE_CODE = "seal_certificate"
#: The register bill's source type for a certificate (its source id is the certificate's id).
CERTIFICATE_BILL_SOURCE = "seal_certificate"
MAX_COPIES = 10


def get_certificate(certificate_id: int, *, by: User) -> SealCertificate | None:
    certificate = db.session.get(SealCertificate, certificate_id)
    if certificate is not None:
        audit.record("read", "seal_certificate", certificate.id, certificate.name, by=by)
    return certificate


@dataclass(frozen=True)
class CertificateInput:
    card_number: str  # read from the card the applicant presents
    copies: int


def _certificate_record(card_number: str) -> SealRecord:
    """要領: 印鑑登録証の提示がなければ交付しない; a card abolished, lost or being abolished
    gives none."""
    record = record_by_card(card_number)
    if record is None:
        raise SealError("この番号の印鑑登録証はありません。番号を確認してください。", "card_number")
    if not record.is_active or not record.card_valid:
        raise SealError("この印鑑登録証は無効です（廃止または亡失の届出があります）。証明書は交付できません。",
                        "card_number")
    if (pending := pending_ending(record)) is not None:
        raise SealError(f"この登録は廃止の手続き中です（受付番号{pending}）。証明書は交付できません。", "card_number")
    return record


def issue_certificate(data: CertificateInput, *, today: date, by: User) -> SealCertificate:
    """印鑑登録証明書 on presentation of the card, with the fee line (300円 a copy, fee code
    seal_certificate) sent to the register as a bill."""
    if not 1 <= data.copies <= MAX_COPIES:
        raise SealError(f"通数は1〜{MAX_COPIES}通で指定してください。", "copies")
    record = _certificate_record(data.card_number)
    certificate = SealCertificate(
        record_id=record.id, card_number=record.card_number, copies=data.copies, name=record.name,
        birth_date=record.birth_date, address=record.address, issued_on=today, issued_by_id=by.id,
        fee_code=CERTIFICATE_FEE_CODE, unit_fee=CERTIFICATE_FEE, amount=CERTIFICATE_FEE * data.copies)
    db.session.add(certificate)
    db.session.flush()
    audit.record("create", "seal_certificate", certificate.id,
                 f"印鑑登録証明書 {record.name} {data.copies}通 手数料{certificate.amount}円（{CERTIFICATE_FEE_CODE}）",
                 by=by)
    try:
        register.open_bill(CERTIFICATE_BILL_SOURCE, certificate.id, certificate.name,
                           [Item(CERTIFICATE_FEE_CODE, data.copies)], by=by)
    except register.RegisterError as exc:
        raise SealError(f"会計へ送れませんでした：{exc.message}", "copies") from exc
    return certificate


def certificate_bill(certificate: SealCertificate) -> Bill | None:
    return register.bill_for_source(CERTIFICATE_BILL_SOURCE, certificate.id)


def fee_waits(bill: Bill | None) -> bool:
    """The fee is still to be paid at the register."""
    return bill is not None and bill.is_open


def _paid_certificate(bill: Bill) -> SealCertificate:
    certificate = db.session.get(SealCertificate, int(bill.source_id))
    if certificate is None:
        raise SealError(f"請求{bill.id}の印鑑登録証明書（{bill.source_id}）がありません。")
    return certificate


def certificate_paid(bill: Bill, payment: Payment) -> None:
    """The register's paid hook for certificate bills: the fee line records its payment."""
    certificate = _paid_certificate(bill)
    certificate.payment_id = payment.id
    audit.record("update", "seal_certificate", certificate.id, f"手数料収納 領収番号{payment.receipt_no}",
                 by=db.session.get(User, payment.cashier_id))


def certificate_voided(bill: Bill, reversal: Payment) -> None:
    """The register's void hook for certificate bills: the fee is unpaid again (or refunded)."""
    certificate = _paid_certificate(bill)
    certificate.payment_id = None
    state = "未収納に戻す" if bill.is_open else "返金"
    audit.record("update", "seal_certificate", certificate.id,
                 f"手数料収納の取消 領収番号{reversal.reverses.receipt_no}（{state}）",
                 by=db.session.get(User, reversal.cashier_id))


def certificate_bill_cancelled(bill: Bill, user: User, reason: str) -> None:
    """The register's cancel hook for certificate bills: the fee was never paid."""
    audit.record("update", "seal_certificate", int(bill.source_id),
                 f"手数料請求の取消：{reason}（{user.display_name}）", by=user)


def certificate_pdf(certificate: SealCertificate, *, by: User) -> bytes:
    city = get_municipality()
    record = certificate.record
    audit.record("print", "seal_certificate", certificate.id, f"印鑑登録証明書PDF {certificate.copies}通", by=by)
    return documents.certificate_pdf(documents.CertificateData(
        certificate_id=certificate.id, card_number=certificate.card_number, name=certificate.name,
        birth_date=certificate.birth_date, address=certificate.address, image_png=record.image_png,
        dpi=record.dpi, issued_on=certificate.issued_on, municipality=city.name if city else "",
        mayor=city.mayor_name if city else "", copies=certificate.copies))


def fee_label(item: SealCertificate, day: date) -> str:
    """The fee's name as the fee schedule gives it (印鑑登録証明書交付手数料), not its code."""
    rate = rates_on(day).get(item.fee_code)
    return rate.label if rate else item.fee_code
