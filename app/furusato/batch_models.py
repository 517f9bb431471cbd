"""寄附金受領証明書の印刷バッチ (issue 16 §3): one print run of the envelopes due, from the filters
it was asked with to the day the office confirmed it was posted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class CertificateBatchState(Labelled):
    """作成中 while its task runs (or after it failed: nothing of it was kept, it can be run
    again), 印刷待ち once its PDF is made, 発送済 when the office confirmed the posting, 取消 when
    a printed batch was cancelled (its certificates go to the batch that redoes it)."""

    making = "making", "作成中"
    printable = "printable", "印刷待ち"
    posted = "posted", "発送済"
    cancelled = "cancelled", "取消"


class OneStopFilter(Labelled):
    """Which donations a batch takes by the one-stop form ("" on the batch: all of them)."""

    wanted = "wanted", "ワンストップ特例申請書の希望あり"
    not_wanted = "not_wanted", "希望なし"


class CertificateBatch(db.Model):
    """One print run: what it was asked to take (filters), by whom, its task, its counts."""

    __tablename__ = "furusato_certificate_batches"
    __table_args__ = (one_of("state", CertificateBatchState), one_of("one_stop", OneStopFilter, blank=True),
                      Index("ix_furusato_certificate_batches_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[CertificateBatchState] = mapped_column(StrEnumType(CertificateBatchState, 10),
                                                         default=CertificateBatchState.making)
    # Filters: "" / None = not restricted.
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_portals.id"))
    paid_from: Mapped[date | None]
    paid_to: Mapped[date | None]
    due_by: Mapped[date | None]
    one_stop: Mapped[OneStopFilter | str] = mapped_column(StrEnumType(OneStopFilter, 10), default="")
    # The batch this one prints again (取消して作り直す): the same certificates, the same numbers.
    redo_of_id: Mapped[int | None] = mapped_column(  # named: the convention's name passes PostgreSQL's 63 characters
        ForeignKey("furusato_certificate_batches.id", name="fk_furusato_certificate_batches_redo_of_id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))
    # Counts, once made.
    envelopes: Mapped[int] = mapped_column(default=0)
    certificates: Mapped[int] = mapped_column(default=0)
    reissues: Mapped[int] = mapped_column(default=0)
    one_stop_forms: Mapped[int] = mapped_column(default=0)
    total_amount: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    printed_at: Mapped[datetime | None]
    posted_at: Mapped[datetime | None]
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    portal = relationship("Portal")
    created_by = relationship("User", foreign_keys=[created_by_id])
    posted_by = relationship("User", foreign_keys=[posted_by_id])

    @property
    def label(self) -> str:
        """What Certificate.batch holds for the certificates printed in this batch."""
        return batch_label(self.id)


def batch_label(batch_id: int) -> str:
    return f"batch-{batch_id}"
