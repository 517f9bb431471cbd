"""Erasure of a programme's personal data at the contract's end (004 特記事項 §12; 000 別紙 §11):
the `contract_end` kind of app/staff/disposal.py. The supervisor states the quantity and, to
start it, types the confirmation phrase the page shows; the task deletes the rows of ERASABLE
and the files made from them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, or_, select, update

from app.extensions import db
from app.staff import disposal, handover
from app.staff.models import DisposalKind, DisposalRequest
from app.staff.programmes import Programme
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task

KINDS = (DisposalKind.contract_end,)
#: The contractor's working records of personal data, children first so that no foreign key is
#: left pointing at a deleted row. The registry stand-in and the seal records are the city's own
#: registers, and payments are the city's accounts: they are not the contractor's to erase.
ERASABLE: dict[str, tuple[str, ...]] = {
    Programme.counter: ("seal_applications", "counter_fee_lines", "counter_case_events", "counter_cases",
                        "counter_visits"),
    Programme.furusato: ("furusato_suspect_contacts", "furusato_suspect_flags", "furusato_corrections",
                         "furusato_donations", "furusato_import_issues", "furusato_import_staging",
                         "furusato_import_batches", "furusato_import_files", "furusato_donor_match_dismissals",
                         "furusato_donor_merges", "furusato_donors", "furusato_catalog_requests"),
}


def counts(programme: str) -> dict[str, int]:
    """How many rows each erasable table holds now (the quantity the request states)."""
    return {name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name])) or 0
            for name in ERASABLE[programme]}


def _remove_files(programme: str) -> int:
    """The files background work left with the programme's data (its exports, the handover
    packages): copies of what is erased."""
    made = db.session.scalars(select(Task.id).where(or_(
        Task.programme == programme, Task.subject_type == f"{handover.SUBJECT}:{programme}"))).all()
    return files.remove_of(made)


def _erase(request: DisposalRequest, ctx: tasks.TaskContext) -> disposal.Disposed:
    names = ERASABLE[request.programme]
    total = 0
    ctx.progress(0, len(names), phase="消去しています", unit="表")
    for done, name in enumerate(names, start=1):
        table = db.metadata.tables[name]
        if name == "furusato_donors":  # a merged donor points at the one it was merged into
            db.session.execute(update(table).values(merged_into_id=None))
        total += db.session.execute(delete(table)).rowcount or 0
        ctx.progress(done)
    return disposal.Disposed(total, _remove_files(request.programme))


def _count(programme: str, before: date | None) -> int:
    return sum(counts(programme).values())


disposal.kind(DisposalKind.contract_end, disposal.Kind(
    tuple(Programme), _count, _erase, "データベース", "データベースから削除", "/staff/erasures/{id}",
    verb="消去", confirm=True, stated_quantity=True))
