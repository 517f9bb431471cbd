"""The rules of seal registration (印鑑登録, 000 §6(2)), as plain functions over the session.

Where a rule comes from: the national 印鑑登録証明事務処理要領 (the 要領) and the city's 印鑑条例
that follows its pattern (registration from 15, one seal per person, the size and clarity of the
impression, a seal like one already registered in the household, identity by photo ID or by
the inquiry letter, certificates on presentation of the card: app/seal/certificates.py). The
final decision is the city's (000 §7(2)): every application ends in `approve` or
`return_for_correction` by city staff.

The applicant comes from the resident registry (app.registry.services, audited there); an
application may be opened from a counter case; a certificate's fee is a register bill. See
app/seal/models.py for how the domains meet.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now
from app.core.refusal import Problem, Refusal
from app.core.services import get_municipality
from app.counter import cases as counter
from app.counter.models import Case
from app.counter.workflow import OPEN_STATES as CASE_OPEN_STATES
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import PersonRecord, RegistryError
from app.seal import documents, imaging
from app.seal.models import (
    AT_COUNTER,
    CLOSED_STATES,
    ENDINGS,
    OPEN_STATES,
    REVIEWABLE,
    ApplicantKind,
    ApplicationKind,
    ApplicationState,
    IdDocument,
    IdentityPath,
    RecordStatus,
    SealApplication,
    SealRecord,
)

#: 印鑑条例: 15歳未満の者 may not register.
MIN_AGE = 15
#: Days the applicant has to bring back the reply (回答書); cities set 20 days to a month.
INQUIRY_REPLY_DAYS = 30
#: Counter catalog category whose cases may open a seal application (catalog.yaml).
CASE_CATEGORY = "seal"
#: 要領: a seal identical or very similar to one registered in the same household is refused.
#: The score is the comparison's character overlap: the same seal scores 0.93 and more, a
#: different design 0.8 and less (tests/seal/test_imaging.py prints them).
HOUSEHOLD_SIMILARITY = 0.88


#: Who works at the counter (receives, captures, asks for review) and who reviews (000 §7(2)).
COUNTER_ROLES = (Role.operator, Role.supervisor)
REVIEW_ROLES = (Role.city_staff,)


class SealError(Refusal):
    """A rule of seal registration refused the step."""


class InquiryExpired(SealError):
    """The reply came after its deadline: the application closed itself, and that stays."""


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- reading, audited ---------------------------------------------------------------------------

def get_application(application_id: int, *, by: User) -> SealApplication | None:
    application = db.session.get(SealApplication, application_id)
    if application is not None:
        audit.record("read", "seal_application", application.id, application.name, by=by)
    return application


def get_record(record_id: int, *, by: User) -> SealRecord | None:
    record = db.session.get(SealRecord, record_id)
    if record is not None:
        audit.record("read", "seal_record", record.id, record.name, by=by)
    return record


def applications_query(states: Sequence[ApplicationState] = OPEN_STATES) -> Select[tuple[SealApplication]]:
    return select(SealApplication).where(SealApplication.state.in_(states)).order_by(SealApplication.id.desc())


def list_applications(states: Sequence[ApplicationState] = OPEN_STATES, limit: int = 100) -> list[SealApplication]:
    return list(db.session.scalars(applications_query(states).limit(limit)))


def _shown(applications: list[SealApplication], what: str, by: User) -> list[SealApplication]:
    """A list page of applications shows the applicants' names: a read of each shown."""
    audit.read_list("seal_application", (a.id for a in applications), what, by=by)
    return applications


def open_applications(*, by: User) -> list[SealApplication]:
    return _shown(list_applications(), "印鑑登録の受付中一覧", by)


def awaiting_review(*, by: User) -> list[SealApplication]:
    """City staff's work list: the applications sent to them for review."""
    return _shown(list_applications((ApplicationState.review,)), "印鑑登録の審査待ち一覧", by)


def recently_closed(limit: int = 20, *, by: User) -> list[SealApplication]:
    return _shown(list_applications(CLOSED_STATES, limit=limit), "印鑑登録の終了一覧", by)


def search_records(text: str = "", limit: int = 50, *, by: User) -> list[SealRecord]:
    """Seal records by card number, name or kana (a search is a read of personal data)."""
    query = select(SealRecord).order_by(SealRecord.id.desc()).limit(limit)
    text = text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(SealRecord.card_number.like(like) | SealRecord.name.like(like)
                            | SealRecord.kana.like(like))
    records = list(db.session.scalars(query))
    if text:
        audit.record("read", "seal_record", "search", f"検索「{text}」{len(records)}件", by=by)
    else:
        audit.read_list("seal_record", (r.id for r in records), "印鑑登録原票の一覧（新しい順）", by=by)
    return records


def applications_for_case(case_id: int) -> list[SealApplication]:
    """The seal applications opened from a counter case (shown on the case page)."""
    return list(db.session.scalars(select(SealApplication).where(SealApplication.case_id == case_id)
                                   .order_by(SealApplication.id)))


def applications_for_record(record_id: int) -> list[SealApplication]:
    return list(db.session.scalars(select(SealApplication).where(SealApplication.record_id == record_id)
                                   .order_by(SealApplication.id)))


def record_by_card(card_number: str) -> SealRecord | None:
    return db.session.scalar(select(SealRecord).where(SealRecord.card_number == card_number.strip()))


def record_to_compare(card_number: str) -> SealRecord:
    record = record_by_card(card_number)
    if record is None:
        raise SealError("この番号の印鑑登録はありません。", "card_number")
    return record


def active_record_of(resident_id: int) -> SealRecord | None:
    return db.session.scalar(select(SealRecord).where(
        SealRecord.resident_id == resident_id, SealRecord.status == RecordStatus.active))


# --- what a page offers (templates ask these, never a state or a role) ------------------------

def works_at_counter(by: User) -> bool:
    return by.role in COUNTER_ROLES


@dataclass(frozen=True)
class Steps:
    """The steps `by` may take on an application now."""

    capture: bool  # read or upload the impression, confirm it by eye
    send_inquiry: bool
    record_reply: bool
    request_review: bool
    withdraw: bool
    review: bool  # approve or return for correction (city staff)


def steps_for(application: SealApplication, by: User) -> Steps:
    counter_step = works_at_counter(by)
    state = application.state
    by_inquiry = application.by_inquiry
    return Steps(
        capture=counter_step and application.is_registration and state in AT_COUNTER,
        send_inquiry=counter_step and by_inquiry and state in REVIEWABLE and application.inquiry_sent_on is None,
        record_reply=counter_step and by_inquiry and state == ApplicationState.inquiry,
        request_review=counter_step and state in REVIEWABLE,
        withdraw=counter_step and state in AT_COUNTER,
        review=by.role in REVIEW_ROLES and state == ApplicationState.review,
    )


def can_open_abolition(record: SealRecord, by: User) -> bool:
    return record.is_active and works_at_counter(by)


# --- registration -------------------------------------------------------------------------------

def read_applicant(resident_id: int, purpose: str, *, by: User) -> PersonRecord:
    """The applicant's registry record (an audited read). 印鑑条例: only a person recorded in
    this city's resident registry may register, so a moved-out or deceased record is refused."""
    try:
        person = registry.read_person(resident_id, purpose, by=by)
    except RegistryError as exc:
        raise SealError("住民記録から申請者を選んでください。", "resident_id") from exc
    if not person.active:
        raise SealError(f"{person.name}さんは{person.status.label}のため印鑑登録ができません（住民基本台帳に"
                        "記録されている方だけが登録できます）。", "resident_id")
    return person


def case_for_application(case_id: int, *, by: User) -> Case:
    """The counter case an application is opened from: an open case of a seal procedure."""
    case = counter.read_case(case_id, by=by)
    if case is None or case.procedure.category != CASE_CATEGORY:
        raise SealError("印鑑登録の窓口案件から開いてください。", "case_id")
    if case.state not in CASE_OPEN_STATES:
        raise SealError(f"窓口案件 {case.id:06d} は終了しています。", "case_id")
    return case


@dataclass(frozen=True)
class RegistrationInput:
    """印鑑登録申請 as the counter receives it; the registry record gives the rest."""

    resident_id: int
    applicant_kind: str
    identity_path: str
    id_document: str = ""
    proxy_name: str = ""
    case_id: int | None = None


def _how_applied(data: RegistrationInput) -> list[Problem]:
    """要領: a proxy's application is always confirmed by the inquiry letter to the person;
    immediate registration needs the person's own photo ID issued by a public office."""
    problems = []
    if not ApplicantKind.has(data.applicant_kind):
        problems.append(Problem("applicant_kind", "申請者の区分を選んでください。"))
    if not IdentityPath.has(data.identity_path):
        problems.append(Problem("identity_path", "本人確認の方法を選んでください。"))
    if data.applicant_kind == ApplicantKind.proxy:
        if not data.proxy_name.strip():
            problems.append(Problem("proxy_name", "代理人の氏名を入力してください。"))
        if data.identity_path != IdentityPath.inquiry:
            problems.append(Problem("identity_path", "代理人による申請は、本人あての照会書で確認します（即日登録は"
                                                     "できません）。"))
    if data.identity_path == IdentityPath.photo_id and not IdDocument.has(data.id_document):
        problems.append(Problem("id_document", "即日登録には官公署発行の写真付き本人確認書類が必要です。書類を"
                                               "選んでください。"))
    return problems


def _may_register(applicant: PersonRecord, today: date) -> list[Problem]:
    """印鑑条例: from 15; 要領: one seal per person (an active registration must be abolished
    first), and one registration in progress at a time."""
    if age_on(applicant.birth_date, today) < MIN_AGE:
        return [Problem("resident_id", f"{MIN_AGE}歳未満の方は印鑑登録ができません（印鑑条例）。")]
    if active_record_of(applicant.id) is not None:
        return [Problem("resident_id", "この方はすでに印鑑を登録しています（登録は1人1個です）。先に廃止の手続きを"
                                       "してください。")]
    pending = db.session.scalar(select(SealApplication.id).where(
        SealApplication.resident_id == applicant.id, SealApplication.kind == ApplicationKind.registration,
        SealApplication.state.in_(OPEN_STATES)))
    if pending is not None:
        return [Problem("resident_id", f"この方の登録申請（受付番号{pending}）が手続き中です。")]
    return []


def open_registration(data: RegistrationInput, *, today: date, by: User) -> SealApplication:
    """受付 of a registration (000 §6(2)①ア・イ) for a person picked from the registry; every
    problem of the form is said at once."""
    case = case_for_application(data.case_id, by=by) if data.case_id is not None else None
    applicant = read_applicant(data.resident_id, "印鑑登録申請の受付", by=by)
    problems = _may_register(applicant, today) + _how_applied(data)
    if problems:
        raise SealError.of(problems)
    kind, path = ApplicantKind(data.applicant_kind), IdentityPath(data.identity_path)
    application = SealApplication(
        kind=ApplicationKind.registration, state=ApplicationState.received, resident_id=applicant.id,
        household_id=applicant.household_id, name=applicant.name, kana=applicant.kana,
        birth_date=applicant.birth_date, address=applicant.address, applicant_kind=kind,
        proxy_name=data.proxy_name.strip() if kind == ApplicantKind.proxy else "", identity_path=path,
        id_document=data.id_document if path == IdentityPath.photo_id else "",
        case_id=case.id if case else None, created_by_id=by.id,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("create", "seal_application", application.id,
                 f"印鑑登録申請 {application.name}（{application.applicant_label}・{path.label}）"
                 + (f" 窓口案件 {case.id:06d}" if case else ""), by=by)
    return application


def check_editable(application: SealApplication) -> None:
    """Only a registration still at the counter takes an impression."""
    if not application.is_registration:
        raise SealError("印影を扱うのは登録申請だけです。")
    if application.state not in AT_COUNTER:
        raise SealError(f"この申請は{application.state.label}のため変更できません。")


def household_conflicts(person: PersonRecord, image: Image.Image, dpi: int,
                        purpose: str, *, by: User) -> list[tuple[SealRecord, float]]:
    """Seals registered by the other members of the person's household, as the registry has it
    now, that the impression is identical or very similar to (要領: 同一世帯に同一・類似の印鑑が
    登録されているものは登録できない)."""
    try:
        household = registry.read_household(person.household_id, purpose, by=by)
    except RegistryError as exc:
        raise SealError(exc.message) from exc
    others = [m.id for m in household.active_members if m.id != person.id]
    conflicts = []
    records = db.session.scalars(select(SealRecord).where(
        SealRecord.resident_id.in_(others), SealRecord.status == RecordStatus.active).order_by(SealRecord.id))
    for record in records:
        registered = imaging.load_image(record.image_png)
        result = imaging.match_impressions(registered, record.dpi, image, dpi)
        if result.score >= HOUSEHOLD_SIMILARITY:
            conflicts.append((record, result.score))
    return conflicts


def attach_impression(application: SealApplication, image: Image.Image, dpi: int, source: str, *,
                      by: User) -> imaging.CheckResult:
    """Run the automatic checks on a scan and keep it, cropped to the impression, with the
    result (000 §6(2)①エ). A refused impression is kept too, so the operator sees why."""
    check_editable(application)
    result = imaging.check_impression(image, dpi)
    checked = result.as_dict()
    if result.side_mm is not None:
        crop = imaging.crop_impression(image, dpi)
        purpose = f"印鑑登録 受付番号{application.id}：同一世帯の登録印の確認"
        person = read_applicant(application.resident_id, purpose, by=by)
        conflicts = household_conflicts(person, crop, dpi, purpose, by=by)
        for record, score in conflicts:
            checked["reasons"].append(f"同じ世帯の{record.name}さんの登録印（印鑑登録番号{record.card_number}）と"
                                      f"同一または類似しています（一致度{score:.2f}）。")
            checked["codes"].append("household_similar")
        checked["ok"] = bool(result.ok and not conflicts)
        application.image_png = imaging.png_bytes(crop)
    else:
        application.image_png = imaging.png_bytes(image.convert("L"))
    application.dpi = dpi
    application.side_mm = None if result.side_mm is None else round(result.side_mm, 2)
    application.check_ok = bool(checked["ok"])
    application.check_result = checked
    verdict = "適合" if checked["ok"] else "不適合 " + " ".join(checked["reasons"])
    audit.record("update", "seal_application", application.id, f"印影取込（{source}、{dpi}dpi）：{verdict}", by=by)
    return result


@dataclass(frozen=True)
class Confirmation:
    """What a machine cannot see, confirmed by the operator (要領: the name or an allowed part
    of it is shown; not rubber or another deformable material; no occupation or title)."""

    confirm_name: bool
    confirm_not_rubber: bool
    confirm_no_title: bool


def confirm(application: SealApplication, seen: Confirmation, *, by: User) -> None:
    check_editable(application)
    flags = (bool(seen.confirm_name), bool(seen.confirm_not_rubber), bool(seen.confirm_no_title))
    application.confirm_name, application.confirm_not_rubber, application.confirm_no_title = flags
    marks = ["○" if flag else "×" for flag in flags]
    audit.record("update", "seal_application", application.id,
                 f"目視確認 氏名{marks[0]} 材質{marks[1]} 職業等{marks[2]}", by=by)


# --- the inquiry letter path (照会書・回答書) ----------------------------------------------------

def send_inquiry(application: SealApplication, *, today: date, by: User) -> None:
    """Mark the inquiry letter as sent to the registered address and set the reply deadline
    (000 §6(2)③)."""
    if not application.by_inquiry:
        raise SealError("照会書は、文書照会で確認する登録申請にだけ作成します。")
    if application.state not in REVIEWABLE or application.inquiry_sent_on is not None:
        raise SealError("照会書はすでに送付済みです。" if application.inquiry_sent_on else
                        f"この申請は{application.state.label}のため照会書を作成できません。")
    application.inquiry_sent_on = today
    application.reply_deadline = today + timedelta(days=INQUIRY_REPLY_DAYS)
    application.state = ApplicationState.inquiry
    audit.record("print", "seal_application", application.id,
                 f"照会書送付（回答期限 {application.reply_deadline.isoformat()}）", by=by)


def inquiry_letter(application: SealApplication, *, by: User) -> bytes:
    if application.inquiry_sent_on is None or application.reply_deadline is None:
        raise SealError("照会書はまだ送付されていません。")
    city = get_municipality()
    audit.record("print", "seal_application", application.id, "照会書PDF", by=by)
    return documents.inquiry_letter_pdf(documents.InquiryData(
        application_id=application.id, name=application.name, address=application.address,
        applicant_label=application.applicant_label, received_on=application.created_at.date(),
        sent_on=application.inquiry_sent_on, reply_deadline=application.reply_deadline,
        municipality=city.name if city else "", mayor=city.mayor_name if city else "",
        municipality_address=city.address if city else ""))


def expire_overdue(today: date) -> list[SealApplication]:
    """Inquiries whose reply deadline has passed close themselves, and say so (periodic work,
    app/seal/tasks.py; never on a page's GET)."""
    overdue = list(db.session.scalars(select(SealApplication).where(
        SealApplication.state == ApplicationState.inquiry, SealApplication.reply_deadline < today)))
    for application in overdue:
        _expire(application)
    return overdue


def _expire(application: SealApplication) -> None:
    assert application.reply_deadline is not None
    application.state = ApplicationState.expired
    application.closed_reason = (f"回答期限（{application.reply_deadline.isoformat()}）までに"
                                 "回答書の持参がなかったため、申請は自動的に終了しました。改めて申請が必要です。")
    audit.record("update", "seal_application", application.id, "照会期限切れにより終了", by=None)


@dataclass(frozen=True)
class ReplyInput:
    id_document: str  # of the person who brings the reply back


def record_reply(application: SealApplication, reply: ReplyInput, *, today: date, by: User) -> None:
    """The 回答書 is brought back, with ID, before the deadline (000 §6(2)③). One brought too
    late closes the application (InquiryExpired: that change is kept)."""
    if application.state != ApplicationState.inquiry or application.reply_deadline is None:
        raise SealError(f"この申請は{application.state.label}のため回答書を受け付けられません。")
    if today > application.reply_deadline:
        _expire(application)
        raise InquiryExpired(application.closed_reason)
    if not IdDocument.has(reply.id_document):
        raise SealError("回答書を持参した方の本人確認書類を選んでください。", "id_document")
    document = IdDocument(reply.id_document)
    application.reply_received_on = today
    application.reply_id_document = document
    application.state = ApplicationState.received
    audit.record("update", "seal_application", application.id, f"回答書受理（本人確認：{document.label}）", by=by)


# --- review (000 §7(2)) -------------------------------------------------------------------------

def ready_for_review(application: SealApplication) -> list[str]:
    """What still stops a registration from going to city review, in words."""
    if not application.is_registration:
        return []
    missing = []
    if application.image_png is None:
        missing.append("印影を読み取ってください。")
    elif not application.check_ok:
        missing.append("印影が登録の基準を満たしていません。押し直して読み取ってください。")
    if not (application.confirm_name and application.confirm_not_rubber and application.confirm_no_title):
        missing.append("目視確認（氏名・材質・職業等）をすべて確認してください。")
    if application.identity_path == IdentityPath.inquiry and application.reply_received_on is None:
        missing.append("照会書の回答書を受理してから審査を依頼してください。")
    return missing


def request_review(application: SealApplication, *, by: User) -> None:
    """入力内容の審査依頼 to city staff (000 §6(2)②ア)."""
    if application.state not in REVIEWABLE:
        raise SealError(f"この申請は{application.state.label}のため審査を依頼できません。")
    missing = ready_for_review(application)
    if missing:
        raise SealError(" ".join(missing))
    application.state = ApplicationState.review
    application.review_requested_at = now()
    application.return_reason = ""
    audit.record("update", "seal_application", application.id, "審査依頼", by=by)


def _new_card_number() -> str:
    """Eight random digits and a Luhn check digit, unique among cards."""
    while True:
        body = f"{secrets.randbelow(10**8):08d}"
        total = 0
        for i, digit in enumerate(reversed(body)):
            value = int(digit) * (2 if i % 2 == 0 else 1)
            total += value - 9 if value > 9 else value
        number = body + str((10 - total % 10) % 10)
        if record_by_card(number) is None:
            return number


def _reviewed(application: SealApplication, state: ApplicationState, by: User) -> None:
    application.state, application.reviewed_by_id, application.reviewed_at = state, by.id, now()


def approve(application: SealApplication, *, today: date, by: User) -> SealRecord:
    """City staff approve (000 §7(2)): a registration becomes a seal record and its card; an
    abolition or loss ends the record and invalidates its card."""
    if application.state != ApplicationState.review:
        raise SealError(f"この申請は{application.state.label}のため承認できません。")
    _reviewed(application, ApplicationState.approved, by)
    if application.is_registration:
        record = _register(application, today, by)
        audit.record("approve", "seal_application", application.id, f"承認：印鑑登録番号{record.card_number}",
                     by=by)
        return record
    record = application.record
    assert record is not None
    record.status, record.card_valid, record.abolished_on = RecordStatus.abolished, False, today
    record.abolition_reason = application.kind.label
    audit.record("approve", "seal_application", application.id, f"承認：{application.kind.label}", by=by)
    audit.record("update", "seal_record", record.id, f"廃止（{application.kind.label}）・印鑑登録証無効", by=by)
    return record


def _register(application: SealApplication, today: date, by: User) -> SealRecord:
    """The 原票 is written from the registry record as it is at approval (the person may have
    moved within the city, or left it, since reception)."""
    if active_record_of(application.resident_id) is not None:
        raise SealError("この方はすでに印鑑を登録しています（登録は1人1個です）。")
    assert application.image_png is not None and application.dpi is not None and application.side_mm is not None
    purpose = f"印鑑登録 受付番号{application.id}の承認"
    person = read_applicant(application.resident_id, purpose, by=by)
    image = imaging.load_image(application.image_png)
    conflicts = household_conflicts(person, image, application.dpi, purpose, by=by)
    if conflicts:
        record, score = conflicts[0]
        raise SealError(f"同じ世帯の{record.name}さんの登録印と同一または類似しています（一致度{score:.2f}）。")
    record = SealRecord(
        card_number=_new_card_number(), resident_id=person.id, household_id=person.household_id,
        name=person.name, kana=person.kana, birth_date=person.birth_date, address=person.address,
        image_png=application.image_png, dpi=application.dpi, side_mm=application.side_mm, registered_on=today)
    db.session.add(record)
    db.session.flush()
    application.record_id = record.id
    audit.record("create", "seal_record", record.id, f"印鑑登録 {record.name} 印鑑登録番号{record.card_number}",
                 by=by)
    return record


@dataclass(frozen=True)
class ReturnInput:
    reason: str


def return_for_correction(application: SealApplication, data: ReturnInput, *, by: User) -> None:
    if application.state != ApplicationState.review:
        raise SealError(f"この申請は{application.state.label}のため差し戻せません。")
    if not data.reason.strip():
        raise SealError("差戻しの理由を入力してください。", "reason")
    _reviewed(application, ApplicationState.returned, by)
    application.return_reason = data.reason.strip()
    audit.record("return", "seal_application", application.id, f"差戻し：{application.return_reason}", by=by)


def withdraw(application: SealApplication, *, by: User) -> None:
    if application.state not in AT_COUNTER:
        raise SealError(f"この申請は{application.state.label}のため取り下げられません。")
    application.state = ApplicationState.withdrawn
    application.closed_reason = "申請者の申出により取り下げました。"
    audit.record("update", "seal_application", application.id, "取下げ", by=by)


# --- abolition and loss (廃止・亡失) ------------------------------------------------------------

@dataclass(frozen=True)
class AbolitionInput:
    kind: str  # abolition or loss
    applicant_kind: str
    id_document: str
    proxy_name: str = ""
    case_id: int | None = None


def pending_ending(record: SealRecord) -> int | None:
    """The abolition or loss of the record in progress, if any."""
    return db.session.scalar(select(SealApplication.id).where(
        SealApplication.record_id == record.id, SealApplication.kind.in_(ENDINGS),
        SealApplication.state.in_(OPEN_STATES)))


def _abolition_problems(record: SealRecord, data: AbolitionInput) -> list[Problem]:
    if not record.is_active:
        return [Problem("", "この印鑑登録はすでに廃止されています。")]
    problems = []
    if data.kind not in ENDINGS:
        problems.append(Problem("kind", "廃止か亡失かを選んでください。"))
    if not ApplicantKind.has(data.applicant_kind) or (data.applicant_kind == ApplicantKind.proxy
                                                    and not data.proxy_name.strip()):
        problems.append(Problem("applicant_kind", "申請者の区分（代理人の場合は氏名）を入力してください。"))
    if not IdDocument.has(data.id_document):
        problems.append(Problem("id_document", "届出者の本人確認書類を選んでください。"))
    if (pending := pending_ending(record)) is not None:
        problems.append(Problem("", f"この登録の廃止・亡失の届出（受付番号{pending}）が手続き中です。"))
    return problems


def open_abolition(record: SealRecord, data: AbolitionInput, *, by: User) -> SealApplication:
    """廃止申請 or 亡失届 for a record; it goes to city review at once. A lost card is invalid
    from this moment (要領: 亡失の届出があったときは印鑑登録証を無効とする), so no certificate
    can be issued on it while the review is pending."""
    case = case_for_application(data.case_id, by=by) if data.case_id is not None else None
    problems = _abolition_problems(record, data)
    if problems:
        raise SealError.of(problems)
    kind, applicant_kind = ApplicationKind(data.kind), ApplicantKind(data.applicant_kind)
    application = SealApplication(
        kind=kind, state=ApplicationState.review, resident_id=record.resident_id, household_id=record.household_id,
        name=record.name, kana=record.kana, birth_date=record.birth_date, address=record.address,
        applicant_kind=applicant_kind, proxy_name=data.proxy_name.strip() if applicant_kind == ApplicantKind.proxy
        else "", identity_path=IdentityPath.photo_id, id_document=IdDocument(data.id_document), record_id=record.id,
        review_requested_at=now(), case_id=case.id if case else None, created_by_id=by.id)
    db.session.add(application)
    db.session.flush()
    audit.record("create", "seal_application", application.id, f"{kind.label} 印鑑登録番号{record.card_number}",
                 by=by)
    if kind == ApplicationKind.loss and record.card_valid:
        record.card_valid = False
        audit.record("update", "seal_record", record.id, "亡失届により印鑑登録証を無効化", by=by)
    return application


def case_issue_problems(case: Case) -> list[str]:
    """A seal registration or abolition case is issued only after city staff approved its
    application(s) here: the seal domain's review is the city's review of the procedure."""
    applications = applications_for_case(case.id)
    if not applications:
        return [f"この案件の{case.procedure.name}がまだ受け付けられていません。印鑑登録の画面で、"
                "この案件から申請を受け付けてください。"]
    return [f"受付番号{a.id}（{a.name}）は{a.state.label}です。市職員の承認後に交付できます。"
            for a in applications if a.state != ApplicationState.approved]

def compare_with_record(record: SealRecord, image: Image.Image, dpi: int, *, by: User) -> imaging.MatchResult:
    """印影照合 of a presented impression against the record: shown to staff, never decided."""
    try:
        result = imaging.match_impressions(imaging.load_image(record.image_png), record.dpi, image, dpi)
    except ValueError as exc:
        raise SealError(str(exc), "image") from exc
    audit.record("read", "seal_record", record.id, f"印影照合（一致度{result.score:.2f}）", by=by)
    return result
