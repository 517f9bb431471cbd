"""寄附金受領証明書の印刷バッチ (issue 16 §3): the print room's run of the certificates due.

A batch is asked for with filters (portal, a range of 収納日, one-stop wanted, due by a day);
its work runs as a task (`make`, also what `flask furusato certificates batch` runs). The
task takes every paid donation without a certificate that matches, plus every reissue waiting
to be printed (a Certificate with reissue_of_id and no batch yet: returned mail and
corrections send a certificate again this way, see certificate_numbers.reissue), makes one
envelope per donor, sorts the envelopes by postal code (郵便区分), numbers the new
certificates, and writes one print-ready PDF with a cover sheet of counts and a mailing list
CSV. The office then confirms the posting (発送しました), or cancels a printed batch that was
not posted and has it redone with the same certificates and numbers (取消して作り直す).

Numbers and the long render. The whole of `make` is ONE transaction that owns itself: the
fiscal year's counter row is locked first (certificate_numbers.take_numbers, SELECT … FOR
UPDATE on PostgreSQL; BEGIN IMMEDIATE on SQLite), then what is due is selected (and its rows
locked), numbered, rendered, and the batch marked printable in the same commit. So:
- a second batch waits at the lock until the first has committed or rolled back, then
  selects afresh and sees the first one's certificates: no donation is numbered twice, and
  its numbers follow the first's without a gap;
- a batch that fails or is stopped while rendering rolls back whole: no certificate, no number
  used, no reissue taken, the batch still 作成中 (it can be run again);
- the price is that batches run one at a time, the lock held for the render (the issue's
  benchmark asks ≥ 100 pages/s, so about ten minutes for 60,000 envelopes). Nothing else takes
  that lock: payments, corrections and reissues go on, except on the donations and reissues in
  the batch, whose rows are locked so that what is printed is what is committed. On SQLite
  (development) the lock is the database's: other writers, progress reports included, wait
  for the end of the batch.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, func, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import fiscal_year, now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato import certificate_pdf, certificates, letter_settings
from app.furusato.batch_models import CertificateBatch, CertificateBatchState, OneStopFilter, batch_label
from app.furusato.certificate_numbers import issue, take_numbers
from app.furusato.envelopes import CertificateLine, Envelope, Recipient
from app.furusato.letter import CoverSheet
from app.furusato.models import Certificate, Donation, DonationState, Portal
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task, TaskState

KIND = "furusato.certificate_batch"
SUBJECT = "furusato_certificate_batch"
PAGE_SIZE = 50
CSV_ENCODING = "utf-8-sig"  # names such as 髙橋・山﨑 and every other character survive; Excel reads it
CSV_HEADER = ("郵便番号", "住所", "氏名", "証明書枚数")


class BatchRefused(Refusal):
    pass


@dataclass(frozen=True)
class BatchInput:
    """What the office asks a batch to take (the form, or the command line)."""

    portal: str = ""  # a portal's code; "" = every portal
    paid_from: date | None = None
    paid_to: date | None = None
    one_stop: str = ""  # OneStopFilter value; "" = all
    due_by: date | None = None


# --- asking for a batch -------------------------------------------------------------------------

def _portal_id(code: str) -> int | None:
    return db.session.scalar(select(Portal.id).where(Portal.code == code)) if code else None


def _problems(data: BatchInput) -> list[Problem]:
    problems = []
    if data.portal and _portal_id(data.portal) is None:
        problems.append(Problem("portal", "ポータルを一覧から選んでください。"))
    if data.paid_from and data.paid_to and data.paid_from > data.paid_to:
        problems.append(Problem("paid_to", "収納日の終わりは始まりより後の日にしてください。"))
    if data.one_stop and not OneStopFilter.has(data.one_stop):
        problems.append(Problem("one_stop", "ワンストップ特例申請書の希望を一覧から選んでください。"))
    return problems


def _due(batch: CertificateBatch) -> Select[tuple[Donation]]:
    """The donations this batch takes: paid, no certificate, within its filters."""
    query = certificates.waiting()
    if batch.portal_id is not None:
        query = query.where(Donation.portal_id == batch.portal_id)
    if batch.paid_from is not None:
        query = query.where(Donation.paid_on >= batch.paid_from)
    if batch.paid_to is not None:
        query = query.where(Donation.paid_on <= batch.paid_to)
    if batch.due_by is not None:
        query = query.where(certificates.due_by(batch.due_by))
    if batch.one_stop:
        query = query.where(Donation.one_stop.is_(batch.one_stop == OneStopFilter.wanted))
    return query


def _waiting_reissues() -> Select[tuple[Certificate]]:
    """Reissues waiting to be printed, of donations still standing (a refund voids the
    certificate: its reissue is not printed)."""
    return (select(Certificate).join(Donation, Donation.id == Certificate.donation_id)
            .where(Certificate.reissue_of_id.is_not(None), Certificate.batch == "",
                   Donation.status.in_((DonationState.paid, DonationState.posted))))


def _count(query: Select[Any]) -> int:
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def describe(batch: CertificateBatch) -> str:
    parts = []
    if batch.portal_id is not None and (portal := db.session.get(Portal, batch.portal_id)) is not None:
        parts.append(f"ポータル={portal.name}")
    if batch.paid_from or batch.paid_to:
        parts.append(f"収納日={batch.paid_from or ''}〜{batch.paid_to or ''}")
    if batch.due_by:
        parts.append(f"発送期限={batch.due_by}まで")
    if batch.one_stop:
        parts.append(OneStopFilter(batch.one_stop).label)
    if batch.redo_of_id:
        parts.append(f"印刷バッチ#{batch.redo_of_id}の作り直し")
    return "、".join(parts) or "なし"


def start(data: BatchInput, *, by: User | None, queue: bool = True) -> CertificateBatch:
    """Ask for a batch: refused when a filter is wrong or nothing is due; otherwise the batch
    row and (unless `queue` is False: the command line runs `make` itself) its task, queued
    when the caller's transaction commits."""
    if problems := _problems(data):
        raise BatchRefused.of(problems)
    batch = CertificateBatch(portal_id=_portal_id(data.portal), paid_from=data.paid_from, paid_to=data.paid_to,
                             due_by=data.due_by, one_stop=data.one_stop, created_by_id=by.id if by else None)
    waiting = _count(_due(batch)) + _count(_waiting_reissues())
    if letter_settings.issuer().seal_png is None:  # the renderer would refuse it in the task
        raise BatchRefused("市の公印の画像が登録されていません。自治体設定で公印を登録してから作成してください。")
    if not waiting:  # the batch was never added: nothing made
        raise BatchRefused(f"条件（{describe(batch)}）に合う、発送を待っている受領証明書はありません。")
    db.session.add(batch)
    db.session.flush()
    if queue:
        _submit(batch, by=by)
    audit.record("create", SUBJECT, batch.id, f"受領証明書の印刷バッチ#{batch.id}を作成 条件：{describe(batch)} "
                                              f"対象{waiting}件", by=by, username=None if by else "(cli)")
    return batch


def _submit(batch: CertificateBatch, *, by: User | None) -> Task:
    task = tasks.submit(KIND, {"batch_id": batch.id}, by=by, subject_type=SUBJECT, subject_id=batch.id,
                        title=f"受領証明書の印刷バッチ#{batch.id}")
    batch.task_id = task.id
    return task


def can_run_again(batch: CertificateBatch) -> bool:
    """A batch whose task failed or was stopped: nothing of it was kept, it can be run again."""
    task = db.session.get(Task, batch.task_id) if batch.task_id else None
    return batch.state is CertificateBatchState.making and task is not None and task.finished and \
        task.status is not TaskState.done


def run_again(batch: CertificateBatch, *, by: User) -> Task:
    if not can_run_again(batch):
        raise BatchRefused("この印刷バッチは作成中か、すでにできています。")
    audit.record("update", SUBJECT, batch.id, f"印刷バッチ#{batch.id}の作成をやり直し", by=by)
    return _submit(batch, by=by)


# --- making it (the task; the command line) ----------------------------------------------------

def _postal(code: str) -> str:
    return re.sub(r"\D", "", code)[:7]


def _recipient(donation: Donation) -> Recipient:
    """The donor as their latest donation in the envelope gives them (corrections included)."""
    address = donation.address
    if donation.prefecture and not address.startswith(donation.prefecture):
        address = donation.prefecture + address
    return Recipient(name=donation.name, postal_code=_postal(donation.postal_code), address=address,
                     kana=donation.kana, birth_date=donation.birth_date, phone=donation.phone)


def _line(certificate: Certificate, donation: Donation) -> CertificateLine:
    assert donation.paid_on is not None
    return CertificateLine(fiscal_year=certificate.fiscal_year, number=certificate.number, amount=donation.amount,
                           paid_on=donation.paid_on, applied_on=donation.applied_on, order_id=donation.order_id,
                           use=donation.use, gift=donation.gift_name, reissue=certificate.reissue_of_id is not None)


def envelopes_of(printed: Iterable[tuple[Certificate, Donation]]) -> list[Envelope]:
    """One envelope per donor, its certificates by number, the envelopes by postal code (郵便区分)
    and then by donor, so the same batch always prints in the same order."""
    by_donor: dict[int, list[tuple[Certificate, Donation]]] = {}
    for certificate, donation in printed:
        by_donor.setdefault(certificate.donor_id, []).append((certificate, donation))
    made = []
    for donor_id, pairs in by_donor.items():
        pairs.sort(key=lambda pair: (pair[0].fiscal_year, pair[0].number))
        latest = max((d for _, d in pairs), key=lambda d: (d.applied_at, d.id))
        made.append((donor_id, Envelope(recipient=_recipient(latest), certificates=tuple(_line(c, d) for c, d in pairs),
                                        one_stop=any(d.one_stop for _, d in pairs))))
    made.sort(key=lambda item: (item[1].sort_key, item[0]))
    return [envelope for _, envelope in made]


def _cover(batch: CertificateBatch, envelopes: list[Envelope]) -> CoverSheet:
    lines = [line for e in envelopes for line in e.certificates]
    counts = {"封筒（通）": len(envelopes), "受領証明書（枚）": len(lines),
              "うち再発行（枚）": sum(line.reissue for line in lines),
              "ワンストップ特例申請書（通）": sum(e.one_stop for e in envelopes),
              "寄附金額の合計（円）": sum(line.amount for line in lines)}
    ranges = ((envelopes[0].sort_key, envelopes[-1].sort_key),) if envelopes else ()
    return CoverSheet(label=f"印刷バッチ#{batch.id}（{today():%Y-%m-%d}作成） 条件：{describe(batch)}", counts=counts,
                      postal_ranges=ranges, note=f"番号：{_number_ranges(lines)}（郵便番号順）")


def _number_ranges(lines: list[CertificateLine]) -> str:
    """The certificates' numbers per fiscal year, first to last (reissues keep older numbers)."""
    years: dict[int, list[int]] = {}
    for line in lines:
        years.setdefault(line.fiscal_year, []).append(line.number)
    return "、".join(f"{year}年度 第{min(numbers)}号〜第{max(numbers)}号" for year, numbers in sorted(years.items()))


def write_mailing_list(envelopes: Iterable[Envelope], out: IO[bytes]) -> None:
    text = io.TextIOWrapper(out, encoding=CSV_ENCODING, newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(CSV_HEADER)
    for envelope in envelopes:
        person = envelope.recipient
        writer.writerow((person.postal_code, person.address, person.name, len(envelope.certificates)))
    text.flush()
    text.detach()


def file_name(batch_id: int) -> str:
    return f"certificate-batch-{batch_id}"


def _take(batch: CertificateBatch, *, by: User | None) -> list[Certificate]:
    """The certificates this batch prints, taken for it (the year's counter is locked first)."""
    if batch.redo_of_id is not None:
        return list(db.session.scalars(select(Certificate).where(Certificate.batch == batch_label(batch.redo_of_id))
                                       .with_for_update()))
    donations = list(db.session.scalars(_due(batch).order_by(Donation.paid_on, Donation.id).with_for_update()))
    reissues = list(db.session.scalars(_waiting_reissues().order_by(Certificate.id).with_for_update()))
    return issue(donations, batch.label, by=by) + reissues


def make(batch_id: int, *, progress: Callable[[int, int], None] | None = None) -> CertificateBatch:
    """Make the batch's PDF and mailing list, in one transaction of its own (see the module's
    docstring): on any failure everything is rolled back and the exception goes on."""
    try:
        take_numbers(fiscal_year(today()), 0)  # the lock: batches run one after the other from here
        batch = db.session.get_one(CertificateBatch, batch_id, with_for_update=True, populate_existing=True)
        if batch.state is not CertificateBatchState.making:
            return batch  # made already (read after the lock: a run twice at once waits, then does nothing)
        by = db.session.get(User, batch.created_by_id) if batch.created_by_id else None
        taken = _take(batch, by=by)
        for certificate in taken:
            certificate.batch = batch.label
        donations = {d.id: d for d in db.session.scalars(
            select(Donation).where(Donation.id.in_({c.donation_id for c in taken})))}
        envelopes = envelopes_of((c, donations[c.donation_id]) for c in taken)
        if not envelopes:  # another batch, run at the same time, took them: this one ends empty
            batch.state, batch.cancelled_at = CertificateBatchState.cancelled, now()
            audit.record("update", SUBJECT, batch.id, f"印刷バッチ#{batch.id}を取消：発送を待っている受領証明書は"
                         "もうありません（ほかの印刷バッチに入りました）", by=None, username="(system)")
            db.session.commit()
            return batch
        total = len(envelopes)
        if progress is not None:
            progress(0, total)
        with files.writing(file_name(batch.id), ".pdf") as out:
            letter = letter_settings.template_for(fiscal_year(today()))
            pages = certificate_pdf.render(envelopes, out, issuer=letter_settings.issuer(),
                                           settings=letter_settings.layout(), letter=letter,
                                           cover=_cover(batch, envelopes),
                                           progress=(lambda done: progress(done, total)) if progress else None)
        with files.writing(file_name(batch.id), ".csv") as out:
            write_mailing_list(envelopes, out)
        lines = [line for e in envelopes for line in e.certificates]
        batch.envelopes, batch.certificates = total, len(lines)
        batch.reissues = sum(line.reissue for line in lines)
        batch.one_stop_forms = sum(e.one_stop for e in envelopes)
        batch.total_amount, batch.pages = sum(line.amount for line in lines), pages
        batch.state, batch.printed_at = CertificateBatchState.printable, now()
        audit.record("update", SUBJECT, batch.id, f"印刷バッチ#{batch.id}を作成：封筒{total}通、受領証明書"
                     f"{len(lines)}枚（再発行{batch.reissues}枚）", by=by, username=None if by else "(system)")
        db.session.commit()
        return batch
    except BaseException:
        db.session.rollback()
        raise


@tasks.kind(KIND, title="受領証明書の印刷バッチ", programme="furusato", cancellable=True)
def make_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    batch_id = int(ctx.params["batch_id"])
    ctx.progress(0, None, phase="対象を選んで番号を付けています", unit="通")

    def report(done: int, total: int) -> None:
        ctx.progress(done, total, phase="PDFを作成しています")

    batch = make(batch_id, progress=report)
    ctx.progress(batch.envelopes, batch.envelopes, phase="作成しました")
    return {"summary": summary_text(batch), "link": f"/furusato/certificates/batches/{batch.id}",
            "link_label": "印刷バッチを開く", **summary(batch)}


def summary(batch: CertificateBatch) -> dict[str, Any]:
    return {"batch": batch.id, "state": str(batch.state), "envelopes": batch.envelopes,
            "certificates": batch.certificates, "reissues": batch.reissues, "one_stop": batch.one_stop_forms,
            "total_amount": batch.total_amount, "pages": batch.pages}


def summary_text(batch: CertificateBatch) -> str:
    return (f"封筒{batch.envelopes:,}通、受領証明書{batch.certificates:,}枚（うち再発行{batch.reissues:,}枚）、"
            f"{batch.pages:,}ページのPDFを作成しました。")


def run_here(data: BatchInput, out: Path) -> CertificateBatch:
    """The command line's batch: asked for, made in this process by `make`, and its PDF and
    mailing list copied to `out` and `out` with the suffix .csv."""
    batch = start(data, by=None, queue=False)
    db.session.commit()
    batch = make(batch.id)
    for suffix, target in ((".pdf", out), (".csv", out.with_suffix(".csv"))):
        source = files.existing(file_name(batch.id), suffix)
        assert source is not None
        shutil.copyfile(source, target)
    return batch


# --- the office: posted, or cancelled and redone ------------------------------------------------

def get(batch_id: int) -> CertificateBatch | None:
    return db.session.get(CertificateBatch, batch_id)


def task_of(batch: CertificateBatch) -> Task | None:
    return db.session.get(Task, batch.task_id) if batch.task_id else None


def can_confirm(batch: CertificateBatch) -> bool:
    return batch.state is CertificateBatchState.printable


def can_cancel(batch: CertificateBatch) -> bool:
    return batch.state is CertificateBatchState.printable


def _refuse_unless_printable(batch: CertificateBatch, doing: str) -> None:
    if batch.state is not CertificateBatchState.printable:
        raise BatchRefused(f"この印刷バッチは{batch.state.label}のため、{doing}できません。")


def printed_certificates(batch: CertificateBatch) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.batch == batch.label)
                                   .order_by(Certificate.id).with_for_update()))


def confirm_posted(batch: CertificateBatch, *, by: User) -> int:
    """発送しました: every certificate of the batch posted, every donation 証明書発送済; audited
    per donation. Returns how many certificates."""
    db.session.refresh(batch, with_for_update=True)  # two confirmations at once: the second waits, then refuses
    _refuse_unless_printable(batch, "発送済にすることは")
    at = now()
    printed = printed_certificates(batch)
    donations = {d.id: d for d in db.session.scalars(
        select(Donation).where(Donation.id.in_({c.donation_id for c in printed})).with_for_update())}
    for certificate in printed:
        certificate.posted_at = at
        donation = donations[certificate.donation_id]
        if donation.status is DonationState.paid:
            donation.status, donation.updated_at = DonationState.posted, at
        what = "再発行の受領証明書" if certificate.reissue_of_id else "受領証明書"
        audit.record("update", "furusato_donation", donation.id,
                     f"{what} {certificate.fiscal_year}年度 第{certificate.number}号を発送（印刷バッチ#{batch.id}）"
                     f"→ 状況：{DonationState.posted.label}", by=by)
    batch.state, batch.posted_at, batch.posted_by_id = CertificateBatchState.posted, at, by.id
    audit.record("update", SUBJECT, batch.id, f"印刷バッチ#{batch.id}を発送済に（{len(printed)}枚）", by=by)
    db.session.flush()
    return len(printed)


def cancel_and_redo(batch: CertificateBatch, *, by: User) -> CertificateBatch:
    """取消して作り直す: a printed batch not posted is cancelled, and a new batch prints the same
    certificates with the same numbers (no number is given back or taken anew)."""
    db.session.refresh(batch, with_for_update=True)
    _refuse_unless_printable(batch, "取消")
    batch.state, batch.cancelled_at, batch.cancelled_by_id = CertificateBatchState.cancelled, now(), by.id
    redo = CertificateBatch(redo_of_id=batch.id, portal_id=batch.portal_id, paid_from=batch.paid_from,
                            paid_to=batch.paid_to, due_by=batch.due_by, one_stop=batch.one_stop, created_by_id=by.id)
    db.session.add(redo)
    db.session.flush()
    _submit(redo, by=by)
    audit.record("update", SUBJECT, batch.id, f"印刷バッチ#{batch.id}を取消（作り直し：印刷バッチ#{redo.id}）", by=by)
    audit.record("create", SUBJECT, redo.id, f"印刷バッチ#{redo.id}を作成（#{batch.id}の作り直し、同じ番号）", by=by)
    return redo


# --- pages and files ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BatchPage:
    rows: list[CertificateBatch]
    count: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def batches(page: int = 1) -> BatchPage:
    count = int(db.session.scalar(select(func.count(CertificateBatch.id))) or 0)
    page = min(max(1, page), max(1, -(-count // PAGE_SIZE)))
    rows = list(db.session.scalars(select(CertificateBatch).order_by(CertificateBatch.id.desc())
                                   .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return BatchPage(rows, count, page)


def has_files(batch: CertificateBatch) -> bool:
    """A batch made and not cancelled offers its PDF and mailing list (a cancelled one's were
    replaced by its redo's)."""
    return batch.state in (CertificateBatchState.printable, CertificateBatchState.posted)


def download(batch: CertificateBatch, suffix: str, *, by: User) -> tuple[Path, str]:
    """The batch's PDF or mailing list (both hold donors' personal data: audited as an export)."""
    path = files.existing(file_name(batch.id), suffix) if has_files(batch) else None
    if path is None:
        raise BatchRefused("このファイルはまだできていないか、保存期間を過ぎて削除されました。")
    what = "PDF" if suffix == ".pdf" else "宛名一覧CSV"
    audit.record("export", SUBJECT, batch.id, f"印刷バッチ#{batch.id}の{what}をダウンロード（封筒{batch.envelopes}通）",
                 by=by)
    return path, f"certificates-batch-{batch.id}{suffix}"
