"""Bank and 郵便振替 transfers (issue 16 §1, bulk payment matching): a transfer file as one batch,
and every credit row of it kept with what matching made of it, until the office resolves it.

The file's bytes are kept as an ImportFile (the portal import's store, with its sha256): the
same file is never taken twice. A row is 入金記録済 when its payment was recorded on a donation
(certain by name and amount, or chosen by the office), 対象外 when the office set it aside with
a reason; 要確認 and 該当なし rows are the unmatched money the office still has to resolve.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db
from app.furusato.models import PaymentMethod


class TransferBatchState(Labelled):
    queued = "queued", "照合待ち"
    running = "running", "照合中"
    done = "done", "照合済"
    failed = "failed", "失敗（変更なし）"


class TransferState(Labelled):
    recorded = "recorded", "入金記録済"
    uncertain = "uncertain", "要確認"
    unmatched = "unmatched", "該当なし"
    excluded = "excluded", "対象外"


# Rows that are money not yet put on a donation nor set aside.
OPEN_STATES = (TransferState.uncertain, TransferState.unmatched)


class MatchKind(Labelled):
    """What matching found for a row when its file was taken (the office's choice comes after)."""

    certain = "certain", "氏名・金額が一致（1件）"
    order = "order", "通信欄の寄附番号・金額が一致"
    several = "several", "氏名・金額が一致する寄附が複数"
    name_only = "name_only", "氏名のみ一致（金額が違う）"
    amount_only = "amount_only", "金額のみ一致（氏名が違う）"
    taken = "taken", "一致する寄附は同じファイルの前の行で入金済"
    none = "none", "該当なし"


class TransferBatch(db.Model):
    """One uploaded transfer file (a bank's 入出金明細 or a ゆうちょ 払込み明細) and its counts."""

    __tablename__ = "furusato_transfer_batches"
    __table_args__ = (one_of("status", TransferBatchState), one_of("method", PaymentMethod))

    id: Mapped[int] = mapped_column(primary_key=True)
    profile: Mapped[str] = mapped_column(String(20))  # a transfer profile's code (transfers.profiles())
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod, 20))  # what its payments are
    file_id: Mapped[int] = mapped_column(ForeignKey("furusato_import_files.id"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    encoding: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[TransferBatchState] = mapped_column(StrEnumType(TransferBatchState, 10),
                                                       default=TransferBatchState.queued)
    rows: Mapped[int] = mapped_column(default=0)  # credit rows kept
    recorded: Mapped[int] = mapped_column(default=0)  # payments recorded by certain matches
    uncertain: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)  # withdrawals, and rows an earlier file already had
    message: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    @property
    def in_progress(self) -> bool:
        return self.status in (TransferBatchState.queued, TransferBatchState.running)


class TransferRow(db.Model):
    """One credit of a transfer file: when, how much, from whom (kana as the bank wrote it), and
    what became of it."""

    __tablename__ = "furusato_transfer_rows"
    __table_args__ = (
        Index("ix_furusato_transfer_rows_state", "state", "transferred_on"),
        # An earlier file's same row (overlapping statements) is looked for by its day.
        Index("ix_furusato_transfer_rows_same", "transferred_on", "amount"),
        one_of("state", TransferState), one_of("match", MatchKind),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("furusato_transfer_batches.id"), index=True)
    row_no: Mapped[int]  # the line of the file (the header is line 1)
    transferred_on: Mapped[date]  # 取引日 / 払込日: the payment's 収納日 when it is recorded
    amount: Mapped[int]
    payer: Mapped[str] = mapped_column(String(100), default="")  # 振込依頼人名 / 払込人名, as written
    payer_key: Mapped[str] = mapped_column(String(100), default="")  # folded for matching
    memo: Mapped[str] = mapped_column(Text, default="")  # 摘要 / 通信欄
    match: Mapped[MatchKind] = mapped_column(StrEnumType(MatchKind, 15))
    state: Mapped[TransferState] = mapped_column(StrEnumType(TransferState, 10))
    donation_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_donations.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_payments.id"))
    resolved_by: Mapped[str] = mapped_column(String(64), default="")
    resolved_at: Mapped[datetime | None]
    reason: Mapped[str] = mapped_column(Text, default="")  # why it was set aside (対象外)

    batch: Mapped[TransferBatch] = relationship()
    donation = relationship("Donation")

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES
