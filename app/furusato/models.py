"""Hometown-tax donations (004): portals, donors, donations, imports, suspects, corrections.

A donation keeps what the portal (or the caller on the phone) sent about the person: name,
kana, address and so on as they were on that application. The donor is the person behind many
donations, across portals and years; their current contact data is taken from the latest
donation and from corrections. Merging donors moves donations; un-merging moves them back.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.extensions import db

STATUSES: dict[str, str] = {
    "unpaid": "未入金",
    "paid": "入金済",
    "cancelled": "キャンセル",
}
# A later file may move a donation forward in this order, never back (an older export imported
# after a newer one must not undo a payment).
STATUS_RANK: dict[str, int] = {"unpaid": 0, "paid": 1, "cancelled": 2}

PAYMENT_METHODS: dict[str, str] = {
    "card": "クレジットカード",
    "bank": "銀行振込",
    "postal": "郵便振替",
    "convenience": "コンビニ決済",
    "carrier": "キャリア決済",
    "e_money": "電子マネー・QR決済",
    "cash": "現金（窓口）",
    "other": "その他",
}

CHANNELS: dict[str, str] = {
    "portal": "ポータルサイト",
    "phone": "電話",
    "fax": "FAX",
    "counter": "窓口",
    "mail": "郵送・メール",
}

SUSPECT_REASONS: dict[str, str] = {
    "in_city_gift": "市内在住者への返礼品（004 §7(6)キ）",
    "postal_address_mismatch": "郵便番号と住所の不一致",
    "missing_required": "必須項目の欠落",
    "duplicate_order": "重複申込の疑い",
    "amount_gift_mismatch": "寄附金額と返礼品の不一致",
    "one_stop_without_birth_date": "ワンストップ特例希望で生年月日なし",
}
SUSPECT_STATUSES: dict[str, str] = {"open": "未対応", "contacted": "連絡済・確認中", "cleared": "解消"}

BATCH_STATUSES: dict[str, str] = {
    "queued": "取込待ち",
    "staging": "読込・検査中",
    "staged": "反映待ち",
    "applying": "反映中",
    "applied": "取込済",
    "partial": "正常行のみ取込",
    "refused": "未適用（要対応）",
    "failed": "失敗（変更なし）",
    "cancelled": "中止（変更なし）",
}
# A batch in one of these states is still being worked on by its task.
BATCH_IN_PROGRESS = ("queued", "staging", "staged", "applying")


class Portal(db.Model):
    """ポータルサイト (004 §5(2)), plus one row for direct intake (phone, FAX, counter)."""

    __tablename__ = "furusato_portals"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(10), default="portal")  # portal | direct
    limited: Mapped[bool] = mapped_column(default=False)  # さとふる, own site: 004 §7(2)エ
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)


class Gift(db.Model):
    """返礼品: only what the import needs to check an amount; the gifts issue extends it."""

    __tablename__ = "furusato_gifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int]  # 寄附金額 (yen) for one unit
    active: Mapped[bool] = mapped_column(default=True)


class Donor(db.Model):
    """寄附者: one person however many portals and years (matched on the keys below)."""

    __tablename__ = "furusato_donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kana: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    prefecture: Mapped[str] = mapped_column(String(4), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    # Match keys, computed by app.furusato.normalize: strong keys decide automatically.
    kana_key: Mapped[str] = mapped_column(String(100), default="")
    key_birth: Mapped[str | None] = mapped_column(String(120), index=True)
    key_phone: Mapped[str | None] = mapped_column(String(120), index=True)
    key_address: Mapped[str | None] = mapped_column(String(300), index=True)
    # Weak keys: a likely match that a person reviews.
    key_postal: Mapped[str | None] = mapped_column(String(120), index=True)
    phone_key: Mapped[str | None] = mapped_column(String(20), index=True)  # family members share phones
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_donors.id"))
    last_donation_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)


class ImportFile(db.Model):
    """An uploaded portal file, kept so that a batch can be re-run after the mapping is fixed."""

    __tablename__ = "furusato_import_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=now)
    uploaded_by: Mapped[str] = mapped_column(String(64), default="")


class ImportBatch(db.Model):
    """One run of one file through one portal's import profile."""

    __tablename__ = "furusato_import_batches"
    __table_args__ = (Index("ix_furusato_import_batches_portal_started", "portal_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_files.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[str] = mapped_column(String(10), default="web")  # web | cli
    encoding: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(10), default="failed")
    accept_good_rows: Mapped[bool] = mapped_column(default=False)
    rows: Mapped[int] = mapped_column(default=0)
    staged: Mapped[int] = mapped_column(default=0, server_default="0")  # good rows waiting to be applied
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    suspects: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    portal: Mapped[Portal] = relationship()

    @property
    def applied(self) -> bool:
        return self.status in ("applied", "partial")

    @property
    def in_progress(self) -> bool:
        return self.status in BATCH_IN_PROGRESS

    @property
    def status_label(self) -> str:
        return BATCH_STATUSES.get(self.status, self.status)


class ImportIssue(db.Model):
    """A row (or the header) that could not be taken: row number, field and reason."""

    __tablename__ = "furusato_import_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("furusato_import_batches.id"), index=True)
    row: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
    code: Mapped[str] = mapped_column(String(20))  # missing | invalid | unknown_column | unknown_value | duplicate
    reason: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(String(200), default="")


class ImportStagingRow(db.Model):
    """A good row of a batch's file, parsed, normalised and checked, waiting to be applied.

    The background import reads the whole file into this table in short transactions before
    it changes anything (imports.py); applying a row deletes it, and whatever is left of a
    finished, refused or cancelled batch is removed, so the table is empty between imports.
    """

    __tablename__ = "furusato_import_staging"
    __table_args__ = (Index("ix_furusato_import_staging_batch_order", "batch_id", "order_id"),)

    batch_id: Mapped[int] = mapped_column(ForeignKey("furusato_import_batches.id"), primary_key=True)
    row_no: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    order_id: Mapped[str] = mapped_column(String(64))
    applied_at: Mapped[datetime]
    applied_on: Mapped[date]
    paid_on: Mapped[date | None]
    amount: Mapped[int]
    payment_method: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    gift_code: Mapped[str] = mapped_column(String(40))
    gift_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int]
    one_stop: Mapped[bool]
    receipt_wish: Mapped[bool]
    notes: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    postal_code: Mapped[str] = mapped_column(String(8))
    prefecture: Mapped[str] = mapped_column(String(4))
    address: Mapped[str] = mapped_column(String(300))
    kana_key: Mapped[str] = mapped_column(String(100))
    key_birth: Mapped[str | None] = mapped_column(String(120))
    key_phone: Mapped[str | None] = mapped_column(String(120))
    key_address: Mapped[str | None] = mapped_column(String(300))
    key_postal: Mapped[str | None] = mapped_column(String(120))
    phone_key: Mapped[str | None] = mapped_column(String(20))
    suspects: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [[reason, detail], ...]


class ProfileAdjustment(db.Model):
    """取込調整: a column or value that staff mapped in the browser, on top of the profile file."""

    __tablename__ = "furusato_profile_adjustments"
    __table_args__ = (UniqueConstraint("portal_id", "kind", "field", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    kind: Mapped[str] = mapped_column(String(10))  # column | value
    field: Mapped[str] = mapped_column(String(30), default="")  # for values: which vocabulary
    source: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class Donation(db.Model):
    """寄附: one application on one portal (or by phone, FAX, at the counter)."""

    __tablename__ = "furusato_donations"
    __table_args__ = (
        UniqueConstraint("portal_id", "order_id"),
        # Each index costs every row of a million-row import; these serve the searches staff
        # run (a period, alone or with a portal or a prefecture) and the donor's own donations.
        Index("ix_furusato_donations_portal_applied", "portal_id", "applied_on"),
        Index("ix_furusato_donations_prefecture_applied", "prefecture", "applied_on"),
        # A period with any other condition (search.conditions): the count, the total and the
        # monthly totals are read from this index alone, not from a row lookup per donation
        # in the period (a quarter of a million for three months at a million donations).
        Index("ix_furusato_donations_search", "applied_on", "status", "one_stop", "amount", "portal_id",
              "prefecture", "gift_code", "gift_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10), default="portal")
    donor_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    applied_at: Mapped[datetime]
    applied_on: Mapped[date]
    paid_on: Mapped[date | None]
    amount: Mapped[int]
    payment_method: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[str] = mapped_column(String(10), default="unpaid")
    gift_code: Mapped[str] = mapped_column(String(40), default="")
    gift_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(default=1)
    one_stop: Mapped[bool] = mapped_column(default=False)
    receipt_wish: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The person as this application gave them.
    name: Mapped[str] = mapped_column(String(100), default="")
    kana: Mapped[str] = mapped_column(String(100), default="")
    birth_date: Mapped[date | None]
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    postal_code: Mapped[str] = mapped_column(String(8), default="")
    prefecture: Mapped[str] = mapped_column(String(4), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_batches.id"))
    source_row: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    portal: Mapped[Portal] = relationship()
    donor: Mapped[Donor] = relationship()

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def payment_method_label(self) -> str:
        return PAYMENT_METHODS.get(self.payment_method, self.payment_method)


class SuspectFlag(db.Model):
    """疑義データ (004 §7(1)エ): a donation flagged with a reason code, followed up to cleared."""

    __tablename__ = "furusato_suspect_flags"
    __table_args__ = (Index("ix_furusato_suspect_flags_status_reason", "status", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_batches.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str] = mapped_column(String(64), default="")
    clear_note: Mapped[str] = mapped_column(Text, default="")

    donation: Mapped[Donation] = relationship()
    contacts: Mapped[list[SuspectContact]] = relationship(
        back_populates="flag", order_by="SuspectContact.at")

    @property
    def reason_label(self) -> str:
        return SUSPECT_REASONS.get(self.reason, self.reason)

    @property
    def status_label(self) -> str:
        return SUSPECT_STATUSES.get(self.status, self.status)


class SuspectContact(db.Model):
    """One attempt to reach the donor about a flag, and what came of it."""

    __tablename__ = "furusato_suspect_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("furusato_suspect_flags.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    username: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    result: Mapped[str] = mapped_column(Text)

    flag: Mapped[SuspectFlag] = relationship(back_populates="contacts")


class Correction(db.Model):
    """修正履歴: who changed which field of a donation, when, why and at whose request."""

    __tablename__ = "furusato_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(10), default="")
    source: Mapped[str] = mapped_column(String(15))  # donor_request | staff | import
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_batches.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    username: Mapped[str] = mapped_column(String(64), default="")


class DonorMerge(db.Model):
    """A merge of one donor into another, with the donations it moved (so it can be undone)."""

    __tablename__ = "furusato_donor_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    donation_ids: Mapped[str] = mapped_column(Text)  # JSON list
    reason: Mapped[str] = mapped_column(Text, default="")
    merged_at: Mapped[datetime] = mapped_column(default=now)
    merged_by: Mapped[str] = mapped_column(String(64))
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str] = mapped_column(String(64), default="")


class DonorMatchDismissal(db.Model):
    """Two donors a person looked at and decided are different people."""

    __tablename__ = "furusato_donor_match_dismissals"
    __table_args__ = (UniqueConstraint("donor_a_id", "donor_b_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donor_a_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"))
    donor_b_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[str] = mapped_column(String(64))


class CatalogRequest(db.Model):
    """カタログ送付希望 (004 §7(1)ウ, §7(10)エ)."""

    __tablename__ = "furusato_catalog_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    requested_on: Mapped[date]
    sent_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class FurusatoSettings(db.Model):
    """The city's own area for the in-city rule (004 §7(6)キ): a single row.

    The municipality row holds the city's office address; the donation programme needs the
    whole area (every postal code of the city), named as Japan Post names it.
    """

    __tablename__ = "furusato_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    home_prefecture: Mapped[str] = mapped_column(String(4))
    home_city: Mapped[str] = mapped_column(String(50))
    home_postal_prefixes: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by: Mapped[str] = mapped_column(String(64), default="")
