"""The rules of seal registration (印鑑登録, 000 §6(2)), as plain functions over the session.

Where a rule comes from: the national 印鑑登録証明事務処理要領 (the 要領) and the city's 印鑑条例
that follows its pattern (registration from 15, one seal per person, the size and clarity of the
impression, a seal like one already registered in the household, identity by photo ID or by
the inquiry letter, certificates on presentation of the card). The final decision is the city's
(000 §7(2)): every application ends in `approve` or `return_for_correction` by city staff.

The applicant comes from the resident registry (app.registry.services, audited there); an
application may be opened from a counter case; a certificate's fee is a register bill. See
app/seal/models.py for how the domains meet.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from PIL import Image
from sqlalchemy import Select, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now
from app.core.services import get_municipality
from app.counter import cases as counter
from app.counter.models import Case
from app.counter.workflow import OPEN_STATES as CASE_OPEN_STATES
from app.devices import jobs
from app.devices.models import DeviceJob, Terminal
from app.devices.services import terminals_with_device
from app.extensions import db
from app.register import services as register
from app.register.fees import Item
from app.register.models import Bill, Payment
from app.registry import services as registry
from app.registry.adapter import PersonRecord, RegistryError
from app.seal import documents, imaging
from app.seal.models import (
    APPLICANT_KINDS,
    ID_DOCUMENTS,
    IDENTITY_PATHS,
    OPEN_STATES,
    SealApplication,
    SealCertificate,
    SealRecord,
)

#: 印鑑条例: 15歳未満の者 may not register.
MIN_AGE = 15
#: Days the applicant has to bring back the reply (回答書); cities set 20 days to a month.
INQUIRY_REPLY_DAYS = 30
#: 手数料条例: 印鑑登録証明書 1通 300円, collected at the register under this code.
CERTIFICATE_FEE = 300
CERTIFICATE_FEE_CODE = "seal_certificate"
#: The register bill's source type for a certificate (its source id is the certificate's id).
CERTIFICATE_BILL_SOURCE = "seal_certificate"
#: Counter catalog category whose cases may open a seal application (catalog.yaml).
CASE_CATEGORY = "seal"
MAX_COPIES = 10
#: 要領: a seal identical or very similar to one registered in the same household is refused.
#: The score is the comparison's character overlap: the same seal scores 0.93 and more, a
#: different design 0.8 and less (tests/seal/test_imaging.py prints them).
HOUSEHOLD_SIMILARITY = 0.88


class SealError(ValueError):
    """A rule refused the step; `message` is for the operator, `field` names the form field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- reading, audited ---------------------------------------------------------------------------

def get_application(application_id: int) -> SealApplication | None:
    application = db.session.get(SealApplication, application_id)
    if application is not None:
        audit.record("read", "seal_application", application.id, application.name)
    return application


def get_record(record_id: int) -> SealRecord | None:
    record = db.session.get(SealRecord, record_id)
    if record is not None:
        audit.record("read", "seal_record", record.id, record.name)
    return record


def get_certificate(certificate_id: int) -> SealCertificate | None:
    certificate = db.session.get(SealCertificate, certificate_id)
    if certificate is not None:
        audit.record("read", "seal_certificate", certificate.id, certificate.name)
    return certificate


def applications_query(states: tuple[str, ...] = OPEN_STATES) -> Select[tuple[SealApplication]]:
    return select(SealApplication).where(SealApplication.state.in_(states)).order_by(SealApplication.id.desc())


def list_applications(states: tuple[str, ...] = OPEN_STATES, limit: int = 100) -> list[SealApplication]:
    return list(db.session.scalars(applications_query(states).limit(limit)))


def search_records(text: str = "", limit: int = 50) -> list[SealRecord]:
    """Seal records by card number, name or kana (a search is a read of personal data)."""
    query = select(SealRecord).order_by(SealRecord.id.desc()).limit(limit)
    text = text.strip()
    if text:
        like = f"%{text}%"
        query = query.where(SealRecord.card_number.like(like) | SealRecord.name.like(like)
                            | SealRecord.kana.like(like))
    records = list(db.session.scalars(query))
    if text:
        audit.record("read", "seal_record", "search", f"検索「{text}」{len(records)}件")
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


def active_record_of(resident_id: int) -> SealRecord | None:
    return db.session.scalar(select(SealRecord).where(
        SealRecord.resident_id == resident_id, SealRecord.status == "active"))


# --- capture from the counter's scanner ---------------------------------------------------------
# No request waits for the scanner (STYLE rule 17): a POST queues the scan job and answers at
# once, the page polls the job (a GET, reading only), and a second POST takes the image out of
# the job row and uses it. See app/devices/jobs.py for page waits.

SCAN_KIND = "scan"


@dataclass(frozen=True)
class ScanStatus:
    """What the page shows of a scan: `phase` as jobs.phase gives it, and why it failed."""

    job_id: int
    phase: str
    message: str = ""

    @property
    def waiting(self) -> bool:
        return self.phase == "waiting"


def scanner_terminals() -> list[Terminal]:
    return terminals_with_device("scanner")


def _start_scan(terminal: Terminal, summary: str, by: User, target: dict[str, int]) -> DeviceJob:
    try:
        return jobs.enqueue(terminal, "scanner", SCAN_KIND, target, summary=summary, user_id=by.id)
    except jobs.JobError as exc:
        raise SealError(exc.message) from exc


def start_application_scan(application: SealApplication, terminal: Terminal, by: User) -> DeviceJob:
    """Queue a scan of the seal on the counter PC's scanner for the application's impression."""
    _editable(application)
    return _start_scan(terminal, f"印影読取 受付番号{application.id}", by, {"application_id": application.id})


def start_compare_scan(record: SealRecord, terminal: Terminal, by: User) -> DeviceJob:
    """Queue a scan of a presented seal, to compare with the registered one."""
    return _start_scan(terminal, "印影照合", by, {"record_id": record.id})


def scan_job(job_id: int, by: User, **target: int) -> DeviceJob | None:
    """The scan `by` started for `target` (application_id=… or record_id=…); None otherwise."""
    return jobs.waited_job(job_id, SCAN_KIND, by, **target)


def scan_status(job: DeviceJob) -> ScanStatus:
    """Where the scan stands; reads only (the page polls it with GET)."""
    phase = jobs.phase(job)
    if phase == "failed":
        reason = (job.result or {}).get("message") or job.error
        return ScanStatus(job.id, phase, f"読み取りできませんでした：{reason}　印影をスキャナに置き直して、"
                                         "もう一度読み取ってください。")
    if phase == "cancelled":
        if job.attempts == 0:
            message = (f"端末「{job.terminal.name}」のエージェントが応答しません。端末の電源とネットワークを確認し、"
                       "もう一度読み取ってください。")
        else:
            message = (f"端末「{job.terminal.name}」のスキャナから応答がありません。端末とスキャナを確認し、"
                       "もう一度読み取ってください。")
        return ScanStatus(job.id, phase, message)
    return ScanStatus(job.id, phase)


def take_scan(job: DeviceJob) -> tuple[Image.Image, int]:
    """The finished scan's image, at the DPI the scanner is set to (the agent reports it with
    the image; HARDWARE.md: never the file's metadata). The job row keeps no image."""
    try:
        result = jobs.take_result(job)
    except jobs.JobError as exc:
        raise SealError(exc.message) from exc
    return imaging.load_image(base64.b64decode(result["image_png_b64"])), int(result["dpi"])


def discard_scan(job: DeviceJob) -> None:
    """A refused step still takes the image out of the job row."""
    if jobs.phase(job) == "ready":
        jobs.take_result(job)


def compare_scan_job(job_id: int, by: User) -> DeviceJob | None:
    """A scan `by` started for 印影照合 (it names the seal record it is compared with)."""
    job = jobs.waited_job(job_id, SCAN_KIND, by)
    return job if job is not None and isinstance(job.payload.get("record_id"), int) else None


def compare_scan_record(job: DeviceJob) -> SealRecord:
    record = get_record(int(job.payload["record_id"]))
    if record is None:
        raise SealError("照合する印鑑登録が見つかりません。", "card_number")
    return record


def give_up_scan(job: DeviceJob, by: User) -> ScanStatus:
    """The page stops waiting: a scan not started yet never runs, a late answer is dropped."""
    jobs.give_up(job, by)
    return scan_status(job)


# --- registration -------------------------------------------------------------------------------

def read_applicant(resident_id: int, purpose: str) -> PersonRecord:
    """The applicant's registry record (an audited read). 印鑑条例: only a person recorded in
    this city's resident registry may register, so a moved-out or deceased record is refused."""
    try:
        person = registry.read_person(resident_id, purpose)
    except RegistryError as exc:
        raise SealError("住民記録から申請者を選んでください。", "resident_id") from exc
    if not person.active:
        raise SealError(f"{person.name}さんは{person.status.label}のため印鑑登録ができません（住民基本台帳に"
                        "記録されている方だけが登録できます）。", "resident_id")
    return person


def _check_age(person: PersonRecord, today: date) -> None:
    if age_on(person.birth_date, today) < MIN_AGE:
        raise SealError(f"{MIN_AGE}歳未満の方は印鑑登録ができません（印鑑条例）。", "resident_id")


def case_for_application(case_id: int) -> Case:
    """The counter case an application is opened from: an open case of a seal procedure."""
    case = counter.read_case(case_id)
    if case is None or case.procedure.category != CASE_CATEGORY:
        raise SealError("印鑑登録の窓口案件から開いてください。", "case_id")
    if case.state not in CASE_OPEN_STATES:
        raise SealError(f"窓口案件 {case.id:06d} は終了しています。", "case_id")
    return case


def open_registration(resident_id: int, *, applicant_kind: str, identity_path: str, id_document: str = "",
                      proxy_name: str = "", today: date, user_id: int | None = None,
                      case_id: int | None = None) -> SealApplication:
    """受付 of a registration (000 §6(2)①ア・イ) for a person picked from the registry.

    要領: one seal per person (an active registration must be abolished first); a proxy's
    application is always confirmed by the inquiry letter to the person; immediate
    registration needs the person's own photo ID issued by a public office.
    """
    case = case_for_application(case_id) if case_id is not None else None
    applicant = read_applicant(resident_id, "印鑑登録申請の受付")
    _check_age(applicant, today)
    if applicant_kind not in APPLICANT_KINDS:
        raise SealError("申請者の区分を選んでください。", "applicant_kind")
    if identity_path not in IDENTITY_PATHS:
        raise SealError("本人確認の方法を選んでください。", "identity_path")
    if applicant_kind == "proxy":
        if not proxy_name.strip():
            raise SealError("代理人の氏名を入力してください。", "proxy_name")
        if identity_path != "inquiry":
            raise SealError("代理人による申請は、本人あての照会書で確認します（即日登録はできません）。",
                            "identity_path")
    if identity_path == "photo_id" and id_document not in ID_DOCUMENTS:
        raise SealError("即日登録には官公署発行の写真付き本人確認書類が必要です。書類を選んでください。", "id_document")
    if active_record_of(applicant.id) is not None:
        raise SealError("この方はすでに印鑑を登録しています（登録は1人1個です）。先に廃止の手続きをしてください。",
                        "resident_id")
    pending = db.session.scalar(select(SealApplication.id).where(
        SealApplication.resident_id == applicant.id, SealApplication.kind == "registration",
        SealApplication.state.in_(OPEN_STATES)))
    if pending is not None:
        raise SealError(f"この方の登録申請（受付番号{pending}）が手続き中です。", "resident_id")
    application = SealApplication(
        kind="registration", state="received", resident_id=applicant.id, household_id=applicant.household_id,
        name=applicant.name, kana=applicant.kana, birth_date=applicant.birth_date, address=applicant.address,
        applicant_kind=applicant_kind, proxy_name=proxy_name.strip() if applicant_kind == "proxy" else "",
        identity_path=identity_path, id_document=id_document if identity_path == "photo_id" else "",
        case_id=case.id if case else None, created_by_id=user_id,
    )
    db.session.add(application)
    db.session.flush()
    audit.record("create", "seal_application", application.id,
                 f"印鑑登録申請 {application.name}（{application.applicant_label}・{application.identity_label}）"
                 + (f" 窓口案件 {case.id:06d}" if case else ""))
    return application


def _editable(application: SealApplication) -> None:
    if application.kind != "registration":
        raise SealError("印影を扱うのは登録申請だけです。")
    if application.state not in ("received", "inquiry", "returned"):
        raise SealError(f"この申請は{application.state_label}のため変更できません。")


def household_conflicts(person: PersonRecord, image: Image.Image, dpi: int,
                        purpose: str) -> list[tuple[SealRecord, float]]:
    """Seals registered by the other members of the person's household, as the registry has it
    now, that the impression is identical or very similar to (要領: 同一世帯に同一・類似の印鑑が
    登録されているものは登録できない)."""
    try:
        household = registry.read_household(person.household_id, purpose)
    except RegistryError as exc:
        raise SealError(exc.message) from exc
    others = [m.id for m in household.active_members if m.id != person.id]
    conflicts = []
    records = db.session.scalars(select(SealRecord).where(
        SealRecord.resident_id.in_(others), SealRecord.status == "active").order_by(SealRecord.id))
    for record in records:
        registered = imaging.load_image(record.image_png)
        result = imaging.match_impressions(registered, record.dpi, image, dpi)
        if result.score >= HOUSEHOLD_SIMILARITY:
            conflicts.append((record, result.score))
    return conflicts


def attach_impression(application: SealApplication, image: Image.Image, dpi: int, source: str) -> imaging.CheckResult:
    """Run the automatic checks on a scan and keep it, cropped to the impression, with the
    result (000 §6(2)①エ). A refused impression is kept too, so the operator sees why."""
    _editable(application)
    result = imaging.check_impression(image, dpi)
    checked = result.as_dict()
    if result.side_mm is not None:
        crop = imaging.crop_impression(image, dpi)
        person = read_applicant(application.resident_id, f"印鑑登録 受付番号{application.id}：同一世帯の登録印の確認")
        conflicts = household_conflicts(person, crop, dpi, f"印鑑登録 受付番号{application.id}：同一世帯の登録印の確認")
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
    audit.record("update", "seal_application", application.id, f"印影取込（{source}、{dpi}dpi）：{verdict}")
    return result


def confirm(application: SealApplication, *, name: bool, not_rubber: bool, no_title: bool) -> None:
    """What a machine cannot see, confirmed by the operator (要領: the name or an allowed part of
    it is shown; not rubber or another deformable material; no occupation or title)."""
    _editable(application)
    application.confirm_name, application.confirm_not_rubber, application.confirm_no_title = name, not_rubber, no_title
    marks = ["○" if flag else "×" for flag in (name, not_rubber, no_title)]
    audit.record("update", "seal_application", application.id,
                 f"目視確認 氏名{marks[0]} 材質{marks[1]} 職業等{marks[2]}")


# --- the inquiry letter path (照会書・回答書) ----------------------------------------------------

def send_inquiry(application: SealApplication, today: date) -> None:
    """Mark the inquiry letter as sent to the registered address and set the reply deadline
    (000 §6(2)③)."""
    if application.kind != "registration" or application.identity_path != "inquiry":
        raise SealError("照会書は、文書照会で確認する登録申請にだけ作成します。")
    if application.state not in ("received", "returned") or application.inquiry_sent_on is not None:
        raise SealError("照会書はすでに送付済みです。" if application.inquiry_sent_on else
                        f"この申請は{application.state_label}のため照会書を作成できません。")
    application.inquiry_sent_on = today
    application.reply_deadline = today + timedelta(days=INQUIRY_REPLY_DAYS)
    application.state = "inquiry"
    audit.record("print", "seal_application", application.id,
                 f"照会書送付（回答期限 {application.reply_deadline.isoformat()}）")


def inquiry_letter(application: SealApplication) -> bytes:
    if application.inquiry_sent_on is None or application.reply_deadline is None:
        raise SealError("照会書はまだ送付されていません。")
    city = get_municipality()
    audit.record("print", "seal_application", application.id, "照会書PDF")
    return documents.inquiry_letter_pdf(documents.InquiryData(
        application_id=application.id, name=application.name, address=application.address,
        applicant_label=application.applicant_label, received_on=application.created_at.date(),
        sent_on=application.inquiry_sent_on, reply_deadline=application.reply_deadline,
        municipality=city.name if city else "", mayor=city.mayor_name if city else "",
        municipality_address=city.address if city else ""))


def expire_overdue(today: date) -> list[SealApplication]:
    """Inquiries whose reply deadline has passed close themselves, and say so."""
    overdue = list(db.session.scalars(select(SealApplication).where(
        SealApplication.state == "inquiry", SealApplication.reply_deadline < today)))
    for application in overdue:
        _expire(application)
    return overdue


def _expire(application: SealApplication) -> None:
    assert application.reply_deadline is not None
    application.state = "expired"
    application.closed_reason = (f"回答期限（{application.reply_deadline.isoformat()}）までに"
                                 "回答書の持参がなかったため、申請は自動的に終了しました。改めて申請が必要です。")
    audit.record("update", "seal_application", application.id, "照会期限切れにより終了", username="(system)")


def record_reply(application: SealApplication, today: date, id_document: str) -> None:
    """The 回答書 is brought back, with ID, before the deadline (000 §6(2)③)."""
    if application.state != "inquiry" or application.reply_deadline is None:
        raise SealError(f"この申請は{application.state_label}のため回答書を受け付けられません。")
    if today > application.reply_deadline:
        _expire(application)
        raise SealError(application.closed_reason)
    if id_document not in ID_DOCUMENTS:
        raise SealError("回答書を持参した方の本人確認書類を選んでください。", "id_document")
    application.reply_received_on = today
    application.reply_id_document = id_document
    application.state = "received"
    audit.record("update", "seal_application", application.id,
                 f"回答書受理（本人確認：{ID_DOCUMENTS[id_document]}）")


# --- review (000 §7(2)) -------------------------------------------------------------------------

def ready_for_review(application: SealApplication) -> list[str]:
    """What still stops a registration from going to city review, in words."""
    missing = []
    if application.image_png is None:
        missing.append("印影を読み取ってください。")
    elif not application.check_ok:
        missing.append("印影が登録の基準を満たしていません。押し直して読み取ってください。")
    if not (application.confirm_name and application.confirm_not_rubber and application.confirm_no_title):
        missing.append("目視確認（氏名・材質・職業等）をすべて確認してください。")
    if application.identity_path == "inquiry" and application.reply_received_on is None:
        missing.append("照会書の回答書を受理してから審査を依頼してください。")
    return missing


def request_review(application: SealApplication) -> None:
    """入力内容の審査依頼 to city staff (000 §6(2)②ア)."""
    if application.state not in ("received", "returned"):
        raise SealError(f"この申請は{application.state_label}のため審査を依頼できません。")
    if application.kind == "registration":
        missing = ready_for_review(application)
        if missing:
            raise SealError(" ".join(missing))
    application.state = "review"
    application.review_requested_at = now()
    application.return_reason = ""
    audit.record("update", "seal_application", application.id, "審査依頼")


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


def approve(application: SealApplication, reviewer_id: int | None, today: date) -> SealRecord | None:
    """City staff approve (000 §7(2)): a registration becomes a seal record and its card; an
    abolition or loss ends the record and invalidates its card."""
    if application.state != "review":
        raise SealError(f"この申請は{application.state_label}のため承認できません。")
    application.state, application.reviewed_by_id, application.reviewed_at = "approved", reviewer_id, now()
    if application.kind == "registration":
        record = _register(application, today)
        audit.record("approve", "seal_application", application.id, f"承認：印鑑登録番号{record.card_number}")
        return record
    record = application.record
    assert record is not None
    record.status, record.card_valid, record.abolished_on = "abolished", False, today
    record.abolition_reason = application.kind_label
    audit.record("approve", "seal_application", application.id, f"承認：{application.kind_label}")
    audit.record("update", "seal_record", record.id, f"廃止（{application.kind_label}）・印鑑登録証無効")
    return record


def _register(application: SealApplication, today: date) -> SealRecord:
    """The 原票 is written from the registry record as it is at approval (the person may have
    moved within the city, or left it, since reception)."""
    if active_record_of(application.resident_id) is not None:
        raise SealError("この方はすでに印鑑を登録しています（登録は1人1個です）。")
    assert application.image_png is not None and application.dpi is not None and application.side_mm is not None
    purpose = f"印鑑登録 受付番号{application.id}の承認"
    person = read_applicant(application.resident_id, purpose)
    image = imaging.load_image(application.image_png)
    conflicts = household_conflicts(person, image, application.dpi, purpose)
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
    audit.record("create", "seal_record", record.id, f"印鑑登録 {record.name} 印鑑登録番号{record.card_number}")
    return record


def return_for_correction(application: SealApplication, reviewer_id: int | None, reason: str) -> None:
    if application.state != "review":
        raise SealError(f"この申請は{application.state_label}のため差し戻せません。")
    if not reason.strip():
        raise SealError("差戻しの理由を入力してください。", "reason")
    application.state, application.reviewed_by_id, application.reviewed_at = "returned", reviewer_id, now()
    application.return_reason = reason.strip()
    audit.record("return", "seal_application", application.id, f"差戻し：{application.return_reason}")


def withdraw(application: SealApplication) -> None:
    if application.state not in ("received", "inquiry", "returned"):
        raise SealError(f"この申請は{application.state_label}のため取り下げられません。")
    application.state = "withdrawn"
    application.closed_reason = "申請者の申出により取り下げました。"
    audit.record("update", "seal_application", application.id, "取下げ")


# --- abolition and loss (廃止・亡失) ------------------------------------------------------------

def open_abolition(record: SealRecord, kind: str, *, applicant_kind: str, proxy_name: str = "",
                   id_document: str = "", user_id: int | None = None, case_id: int | None = None) -> SealApplication:
    """廃止申請 or 亡失届 for a record; it goes to city review at once. A lost card is invalid
    from this moment (要領: 亡失の届出があったときは印鑑登録証を無効とする), so no certificate
    can be issued on it while the review is pending."""
    if kind not in ("abolition", "loss"):
        raise SealError("廃止か亡失かを選んでください。", "kind")
    case = case_for_application(case_id) if case_id is not None else None
    if record.status != "active":
        raise SealError("この印鑑登録はすでに廃止されています。")
    if applicant_kind not in APPLICANT_KINDS or (applicant_kind == "proxy" and not proxy_name.strip()):
        raise SealError("申請者の区分（代理人の場合は氏名）を入力してください。", "applicant_kind")
    if id_document not in ID_DOCUMENTS:
        raise SealError("届出者の本人確認書類を選んでください。", "id_document")
    pending = db.session.scalar(select(SealApplication.id).where(
        SealApplication.record_id == record.id, SealApplication.kind.in_(("abolition", "loss")),
        SealApplication.state.in_(OPEN_STATES)))
    if pending is not None:
        raise SealError(f"この登録の廃止・亡失の届出（受付番号{pending}）が手続き中です。")
    application = SealApplication(
        kind=kind, state="review", resident_id=record.resident_id, household_id=record.household_id,
        name=record.name, kana=record.kana, birth_date=record.birth_date, address=record.address,
        applicant_kind=applicant_kind, proxy_name=proxy_name.strip() if applicant_kind == "proxy" else "",
        identity_path="photo_id", id_document=id_document, record_id=record.id, review_requested_at=now(),
        case_id=case.id if case else None, created_by_id=user_id)
    db.session.add(application)
    db.session.flush()
    audit.record("create", "seal_application", application.id,
                 f"{application.kind_label} 印鑑登録番号{record.card_number}")
    if kind == "loss" and record.card_valid:
        record.card_valid = False
        audit.record("update", "seal_record", record.id, "亡失届により印鑑登録証を無効化")
    return application


# --- certificates --------------------------------------------------------------------------------

def issue_certificate(card_number: str, copies: int, *, today: date, user_id: int | None = None) -> SealCertificate:
    """印鑑登録証明書 on presentation of the card (要領: 印鑑登録証の提示がなければ交付しない),
    with the fee line (300円 a copy, fee code seal_certificate) sent to the register as a bill."""
    if not 1 <= copies <= MAX_COPIES:
        raise SealError(f"通数は1〜{MAX_COPIES}通で指定してください。", "copies")
    record = record_by_card(card_number)
    if record is None:
        raise SealError("この番号の印鑑登録証はありません。番号を確認してください。", "card_number")
    if record.status != "active" or not record.card_valid:
        raise SealError("この印鑑登録証は無効です（廃止または亡失の届出があります）。証明書は交付できません。",
                        "card_number")
    pending = db.session.scalar(select(SealApplication.id).where(
        SealApplication.record_id == record.id, SealApplication.kind.in_(("abolition", "loss")),
        SealApplication.state.in_(OPEN_STATES)))
    if pending is not None:
        raise SealError(f"この登録は廃止の手続き中です（受付番号{pending}）。証明書は交付できません。", "card_number")
    certificate = SealCertificate(
        record_id=record.id, card_number=record.card_number, copies=copies, name=record.name,
        birth_date=record.birth_date, address=record.address, issued_on=today, issued_by_id=user_id,
        fee_code=CERTIFICATE_FEE_CODE, unit_fee=CERTIFICATE_FEE, amount=CERTIFICATE_FEE * copies)
    db.session.add(certificate)
    db.session.flush()
    audit.record("create", "seal_certificate", certificate.id,
                 f"印鑑登録証明書 {record.name} {copies}通 手数料{certificate.amount}円（{CERTIFICATE_FEE_CODE}）")
    try:
        register.open_bill(CERTIFICATE_BILL_SOURCE, certificate.id, certificate.name,
                           [Item(CERTIFICATE_FEE_CODE, copies)], user_id=user_id)
    except register.RegisterError as exc:
        raise SealError(f"会計へ送れませんでした：{exc.message}", "copies") from exc
    return certificate


def certificate_bill(certificate: SealCertificate) -> Bill | None:
    return register.bill_for_source(CERTIFICATE_BILL_SOURCE, certificate.id)


def _certificate_paid(bill: Bill, payment: Payment) -> None:
    """The register's paid hook for certificate bills: the fee line records its payment."""
    certificate = db.session.get(SealCertificate, int(bill.source_id))
    if certificate is None:
        raise SealError(f"請求{bill.id}の印鑑登録証明書（{bill.source_id}）がありません。")
    certificate.payment_id = payment.id
    audit.record("update", "seal_certificate", certificate.id, f"手数料収納 領収番号{payment.receipt_no}")


def _certificate_voided(bill: Bill, reversal: Payment) -> None:
    """The register's void hook for certificate bills: the fee is unpaid again (or refunded)."""
    certificate = db.session.get(SealCertificate, int(bill.source_id))
    if certificate is None:
        raise SealError(f"請求{bill.id}の印鑑登録証明書（{bill.source_id}）がありません。")
    certificate.payment_id = None
    state = "未収納に戻す" if bill.state == "open" else "返金"
    audit.record("update", "seal_certificate", certificate.id,
                 f"手数料収納の取消 領収番号{reversal.reverses.receipt_no}（{state}）")


def _certificate_bill_cancelled(bill: Bill, user: User, reason: str) -> None:
    """The register's cancel hook for certificate bills: the fee was never paid."""
    audit.record("update", "seal_certificate", int(bill.source_id),
                 f"手数料請求の取消：{reason}（{user.display_name}）")


def _case_issue_problems(case: Case) -> list[str]:
    """A seal registration or abolition case is issued only after city staff approved its
    application(s) here: the seal domain's review is the city's review of the procedure."""
    applications = applications_for_case(case.id)
    if not applications:
        return [f"この案件の{case.procedure.name}がまだ受け付けられていません。印鑑登録の画面で、"
                "この案件から申請を受け付けてください。"]
    return [f"受付番号{a.id}（{a.name}）は{a.state_label}です。市職員の承認後に交付できます。"
            for a in applications if a.state != "approved"]


def certificate_pdf(certificate: SealCertificate) -> bytes:
    city = get_municipality()
    record = certificate.record
    audit.record("print", "seal_certificate", certificate.id, f"印鑑登録証明書PDF {certificate.copies}通")
    return documents.certificate_pdf(documents.CertificateData(
        certificate_id=certificate.id, card_number=certificate.card_number, name=certificate.name,
        birth_date=certificate.birth_date, address=certificate.address, image_png=record.image_png,
        dpi=record.dpi, issued_on=certificate.issued_on, municipality=city.name if city else "",
        mayor=city.mayor_name if city else "", copies=certificate.copies))


def compare_with_record(record: SealRecord, image: Image.Image, dpi: int) -> imaging.MatchResult:
    """印影照合 of a presented impression against the record: shown to staff, never decided."""
    try:
        result = imaging.match_impressions(imaging.load_image(record.image_png), record.dpi, image, dpi)
    except ValueError as exc:
        raise SealError(str(exc), "image") from exc
    audit.record("read", "seal_record", record.id, f"印影照合（一致度{result.score:.2f}）")
    return result
