"""Hometown-tax donations (004): portals, donors, donations, imports, suspects, corrections.

A donation keeps what the portal (or the caller on the phone) sent about the person: name,
kana, address and so on as they were on that application. The donor is the person behind many
donations, across portals and years; their current contact data is taken from the latest
donation and from corrections. Merging donors moves donations; un-merging moves them back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.dates import now
from app.core.enums import Labelled, StrEnumType, one_of
from app.extensions import db


class DonationState(Labelled):
    """Where a donation is (issue 16 §1): 申込 → 入金待ち → 入金済 → 証明書発送済, or キャンセル,
    or 返金 where money had come in. A portal's file says only unpaid, paid or cancelled
    (PORTAL_STATES); the others are the office's own steps."""

    applied = "applied", "申込"
    unpaid = "unpaid", "入金待ち"
    paid = "paid", "入金済"
    posted = "posted", "証明書発送済"
    cancelled = "cancelled", "キャンセル"
    refunded = "refunded", "返金"


# What a portal's export can say about a donation; a file never posts or refunds.
PORTAL_STATES = (DonationState.unpaid, DonationState.paid, DonationState.cancelled)

# A later file may move a donation forward in this order, never back (an older export imported
# after a newer one must not undo a payment); what the office did itself (posted, refunded)
# ranks above anything a file can say, so a re-imported export leaves it as it is.
STATUS_RANK: dict[str, int] = {
    DonationState.applied: 0, DonationState.unpaid: 0, DonationState.paid: 1, DonationState.cancelled: 2,
    DonationState.posted: 3, DonationState.refunded: 4}


class PaymentMethod(Labelled):
    card = "card", "クレジットカード"
    bank = "bank", "銀行振込"
    postal = "postal", "郵便振替"
    convenience = "convenience", "コンビニ決済"
    carrier = "carrier", "キャリア決済"
    e_money = "e_money", "電子マネー・QR決済"
    cash = "cash", "現金（窓口）"
    other = "other", "その他"


class Channel(Labelled):
    portal = "portal", "ポータルサイト"
    phone = "phone", "電話"
    fax = "fax", "FAX"
    counter = "counter", "窓口"
    mail = "mail", "郵送・メール"


# What staff take themselves (phone, FAX, counter, mail): everything but a portal's file.
INTAKE_CHANNELS = (Channel.phone, Channel.fax, Channel.counter, Channel.mail)


class PortalKind(Labelled):
    portal = "portal", "ポータルサイト"
    direct = "direct", "直接受付"


class BatchSource(Labelled):
    web = "web", "画面から"
    cli = "cli", "コマンドから"


class SuspectReason(Labelled):
    in_city_gift = "in_city_gift", "市内在住者への返礼品（004 §7(6)キ）"
    postal_address_mismatch = "postal_address_mismatch", "郵便番号と住所の不一致"
    missing_required = "missing_required", "必須項目の欠落"
    duplicate_order = "duplicate_order", "重複申込の疑い"
    amount_gift_mismatch = "amount_gift_mismatch", "寄附金額と返礼品の不一致"
    one_stop_without_birth_date = "one_stop_without_birth_date", "ワンストップ特例希望で生年月日なし"


class SuspectState(Labelled):
    open = "open", "未対応"
    contacted = "contacted", "連絡済・確認中"
    cleared = "cleared", "解消"


class ContactMethod(Labelled):
    phone = "phone", "電話"
    email = "email", "メール"
    letter = "letter", "郵送"
    fax = "fax", "FAX"


class CorrectionSource(Labelled):
    donor_request = "donor_request", "寄附者からの依頼"
    staff = "staff", "職員による補正"
    import_ = "import", "取込"


class BatchState(Labelled):
    queued = "queued", "取込待ち"
    staging = "staging", "読込・検査中"
    staged = "staged", "反映待ち"
    applying = "applying", "反映中"
    applied = "applied", "取込済"
    partial = "partial", "正常行のみ取込"
    refused = "refused", "未適用（要対応）"
    failed = "failed", "失敗（変更なし）"
    cancelled = "cancelled", "中止（変更なし）"

    @property
    def in_progress(self) -> bool:
        """Still being worked on by its task."""
        return self in BATCH_IN_PROGRESS

    @property
    def tone(self) -> str:
        """How the batch page shows it: success, warning, "" (running) or error."""
        return {BatchState.applied: "success", BatchState.partial: "warning"}.get(
            self, "" if self.in_progress else "error")


BATCH_IN_PROGRESS = (BatchState.queued, BatchState.staging, BatchState.staged, BatchState.applying)


class IssueCode(Labelled):
    missing = "missing", "値がない"
    invalid = "invalid", "正しくない"
    unknown_column = "unknown_column", "取込設定にない列"
    missing_column = "missing_column", "必須の列がない"
    unknown_value = "unknown_value", "取込設定にない値"
    duplicate = "duplicate", "注文番号の重複"


class AdjustmentKind(Labelled):
    column = "column", "列"
    value = "value", "値"


class Portal(db.Model):
    """ポータルサイト (004 §5(2)), plus one row for direct intake (phone, FAX, counter)."""

    __tablename__ = "furusato_portals"
    __table_args__ = (one_of("kind", PortalKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[PortalKind] = mapped_column(StrEnumType(PortalKind, 10), default=PortalKind.portal)
    limited: Mapped[bool] = mapped_column(default=False)  # さとふる, own site: 004 §7(2)エ
    active: Mapped[bool] = mapped_column(default=True)
    sort_order: Mapped[int] = mapped_column(default=0)

    @property
    def direct(self) -> bool:
        """The row for phone, FAX and counter intake, not a portal."""
        return self.kind == PortalKind.direct


class GiftState(Labelled):
    """A gift's way to the portals (issue 18 §1): the office proposes it, the city approves it
    and its price (004 §7(9)エ), it is listed, then paused or ended."""

    proposed = "proposed", "提案中"
    approved = "approved", "市承認済"
    listed = "listed", "掲載中"
    paused = "paused", "一時停止"
    ended = "ended", "終了"


class ShippingClass(Labelled):
    ambient = "ambient", "常温"
    chilled = "chilled", "冷蔵"
    frozen = "frozen", "冷凍"


class Gift(db.Model):
    """返礼品: the gift master (issue 18 §1). `active` is whether staff may choose it at intake
    (listed or approved); the portal import's amount check reads `amount` (suspects.py)."""

    __tablename__ = "furusato_gifts"
    __table_args__ = (one_of("state", GiftState), one_of("shipping_class", ShippingClass))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int]  # 寄附金額 (yen) for one unit
    active: Mapped[bool] = mapped_column(default=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_suppliers.id"), index=True)
    cost: Mapped[int] = mapped_column(default=0, server_default="0")  # 調達費（梱包・送料・消費税込）
    shipping_class: Mapped[ShippingClass] = mapped_column(
        StrEnumType(ShippingClass, 10), default=ShippingClass.ambient, server_default="ambient")
    size: Mapped[int] = mapped_column(default=60, server_default="60")  # 荷物のサイズ（60・80・100…）
    lead_days: Mapped[int] = mapped_column(default=7, server_default="7")  # 発注から出荷までの日数
    season_from: Mapped[date | None]
    season_to: Mapped[date | None]
    local_category: Mapped[str] = mapped_column(String(100), default="", server_default="")  # 地場産品基準の類型
    local_evidence: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[GiftState] = mapped_column(StrEnumType(GiftState, 10), default=GiftState.proposed,
                                             server_default="listed")
    low_stock: Mapped[int] = mapped_column(default=5, server_default="5")  # 残りがこれ以下で警告

    supplier = relationship("Supplier")


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
    __table_args__ = (Index("ix_furusato_import_batches_portal_started", "portal_id", "started_at"),
                      one_of("source", BatchSource), one_of("status", BatchState))

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_files.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    source: Mapped[BatchSource] = mapped_column(StrEnumType(BatchSource, 10), default=BatchSource.web)
    encoding: Mapped[str] = mapped_column(String(20), default="")
    status: Mapped[BatchState] = mapped_column(StrEnumType(BatchState, 10), default=BatchState.failed)
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
        return self.status in (BatchState.applied, BatchState.partial)

    @property
    def in_progress(self) -> bool:
        return self.status in BATCH_IN_PROGRESS

    @property
    def refused(self) -> bool:
        return self.status == BatchState.refused


class ImportIssue(db.Model):
    """A row (or the header) that could not be taken: row number, field and reason."""

    __tablename__ = "furusato_import_issues"
    __table_args__ = (one_of("code", IssueCode),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("furusato_import_batches.id"), index=True)
    row: Mapped[int]
    field: Mapped[str] = mapped_column(String(100))
    code: Mapped[IssueCode] = mapped_column(StrEnumType(IssueCode, 20))
    reason: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(String(200), default="")


class ImportStagingRow(db.Model):
    """A good row of a batch's file, parsed, normalised and checked, waiting to be applied.

    The background import reads the whole file into this table in short transactions before
    it changes anything (imports/steps.py); applying a row deletes it, and whatever is left of a
    finished, refused or cancelled batch is removed, so the table is empty between imports.
    """

    __tablename__ = "furusato_import_staging"
    # Read and written in bulk by the import's own statements: plain text (no member per row),
    # kept to the donation's values all the same.
    __table_args__ = (Index("ix_furusato_import_staging_batch_order", "batch_id", "order_id"),
                      one_of("status", PORTAL_STATES), one_of("payment_method", PaymentMethod, blank=True))

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
    use: Mapped[str] = mapped_column(String(200), default="", server_default="")
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
    __table_args__ = (UniqueConstraint("portal_id", "kind", "field", "source"), one_of("kind", AdjustmentKind))

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    kind: Mapped[AdjustmentKind] = mapped_column(StrEnumType(AdjustmentKind, 10))
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
        one_of("channel", Channel), one_of("payment_method", PaymentMethod, blank=True),
        one_of("status", DonationState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[int] = mapped_column(ForeignKey("furusato_portals.id"))
    order_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 10), default=Channel.portal)
    donor_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    applied_at: Mapped[datetime]
    applied_on: Mapped[date]
    paid_on: Mapped[date | None]
    amount: Mapped[int]
    payment_method: Mapped[PaymentMethod | str] = mapped_column(StrEnumType(PaymentMethod, 20), default="")
    status: Mapped[DonationState] = mapped_column(StrEnumType(DonationState, 10), default=DonationState.unpaid)
    gift_code: Mapped[str] = mapped_column(String(40), default="")
    gift_name: Mapped[str] = mapped_column(String(200), default="")
    quantity: Mapped[int] = mapped_column(default=1)
    one_stop: Mapped[bool] = mapped_column(default=False)
    receipt_wish: Mapped[bool] = mapped_column(default=True)
    # 寄附の使い道 as the donor chose it (kept as given when not in the year's list: status_models)
    use: Mapped[str] = mapped_column(String(200), default="", server_default="")
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
    def payment_method_label(self) -> str:
        """The method's name; "" when the portal's file did not say."""
        return self.payment_method.label if isinstance(self.payment_method, PaymentMethod) else ""


class SuspectFlag(db.Model):
    """疑義データ (004 §7(1)エ): a donation flagged with a reason code, followed up to cleared."""

    __tablename__ = "furusato_suspect_flags"
    __table_args__ = (Index("ix_furusato_suspect_flags_status_reason", "status", "reason"),
                      one_of("reason", SuspectReason), one_of("status", SuspectState))

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    reason: Mapped[SuspectReason] = mapped_column(StrEnumType(SuspectReason, 30))
    detail: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SuspectState] = mapped_column(StrEnumType(SuspectState, 10), default=SuspectState.open)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_import_batches.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str] = mapped_column(String(64), default="")
    clear_note: Mapped[str] = mapped_column(Text, default="")

    donation: Mapped[Donation] = relationship()
    contacts: Mapped[list[SuspectContact]] = relationship(
        back_populates="flag", order_by="SuspectContact.at")

    @property
    def cleared(self) -> bool:
        return self.status == SuspectState.cleared


class SuspectContact(db.Model):
    """One attempt to reach the donor about a flag, and what came of it."""

    __tablename__ = "furusato_suspect_contacts"
    __table_args__ = (one_of("method", ContactMethod),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("furusato_suspect_flags.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    username: Mapped[str] = mapped_column(String(64))
    method: Mapped[ContactMethod] = mapped_column(StrEnumType(ContactMethod, 10))
    result: Mapped[str] = mapped_column(Text)

    flag: Mapped[SuspectFlag] = relationship(back_populates="contacts")


class Correction(db.Model):
    """修正履歴: who changed which field of a donation, when, why and at whose request."""

    __tablename__ = "furusato_corrections"
    __table_args__ = (one_of("channel", Channel, blank=True), one_of("source", CorrectionSource))

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    field: Mapped[str] = mapped_column(String(30))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[Channel | str] = mapped_column(StrEnumType(Channel, 10), default="")  # "": not asked by the donor
    source: Mapped[CorrectionSource] = mapped_column(StrEnumType(CorrectionSource, 15))
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
    __table_args__ = (one_of("channel", Channel),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kana: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(300))
    phone: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 10))
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


class ExportRequestState(Labelled):
    pending = "pending", "承認待ち"
    approved = "approved", "承認済み（作成）"
    refused = "refused", "却下"


class ExportRequest(db.Model):
    """出力申請: a CSV of donors' personal data beyond a day's work is a copy that needs the
    city's prior approval (000 別紙 §8(2); 004 特記事項 §10 forbids any use beyond the
    contract): who asks, for what purpose, which rows; who approved it and when. The file is
    made only once every approval it needs is in (app/furusato/export_requests.py)."""

    __tablename__ = "furusato_export_requests"
    __table_args__ = (one_of("state", ExportRequestState), Index("ix_furusato_export_requests_state", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(default=now)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the search (DonationFilter.as_params)
    conditions: Mapped[str] = mapped_column(Text, default="")  # "" = the whole database
    encoding: Mapped[str] = mapped_column(String(20))
    row_count: Mapped[int]  # how many rows the search had when asked
    state: Mapped[ExportRequestState] = mapped_column(StrEnumType(ExportRequestState, 20),
                                                      default=ExportRequestState.pending)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supervisor_at: Mapped[datetime | None]
    city_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    city_at: Mapped[datetime | None]
    refused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refused_at: Mapped[datetime | None]
    refusal_reason: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    supervisor = relationship("User", foreign_keys=[supervisor_id])
    city = relationship("User", foreign_keys=[city_id])
    refused_by = relationship("User", foreign_keys=[refused_by_id])

    @property
    def whole(self) -> bool:
        """No filter: the whole donor database, which the city approves too."""
        return not self.conditions


class CertificateCounter(db.Model):
    """The last 寄附金受領証明書 number given in a fiscal year (April-March). Taken FOR UPDATE
    (app/furusato/certificate_numbers.py) in the transaction that writes the certificates, so
    numbers run gap-free: a batch that fails rolls its numbers back with its rows."""

    __tablename__ = "furusato_certificate_counters"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    """One 寄附金受領証明書 as issued: its number in the fiscal year, the donation and donor it is
    for, when and in which batch it was made, the certificate it reissues (same number, marked
    再発行) and when it was posted."""

    __tablename__ = "furusato_certificates"
    __table_args__ = (
        # One original per number; reissues share the number and point at the original.
        Index("ux_furusato_certificates_number", "fiscal_year", "number", unique=True,
              sqlite_where=text("reissue_of_id IS NULL"), postgresql_where=text("reissue_of_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    number: Mapped[int]
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    donor_id: Mapped[int] = mapped_column(ForeignKey("furusato_donors.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=now)
    batch: Mapped[str] = mapped_column(String(40), default="", index=True)
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_certificates.id"))
    posted_at: Mapped[datetime | None]


class DonationPayment(db.Model):
    """入金の記録 (issue 16 §1): the money of one donation as it reached the city. A correction is
    a new row that supersedes the one it corrects; no row is updated or deleted, so the history
    is the chain. The donation's paid_on (収納日) and status follow the current row."""

    __tablename__ = "furusato_payments"
    __table_args__ = (one_of("method", PaymentMethod),)

    id: Mapped[int] = mapped_column(primary_key=True)
    donation_id: Mapped[int] = mapped_column(ForeignKey("furusato_donations.id"), index=True)
    received_on: Mapped[date]  # 収納日: the day the money reached the city (decides the tax year)
    amount: Mapped[int]
    method: Mapped[PaymentMethod] = mapped_column(StrEnumType(PaymentMethod, 20))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(default=now)
    # The row this one corrects (unique: a row is corrected once; a later correction corrects
    # the correction), and why.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("furusato_payments.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    donation: Mapped[Donation] = relationship()


from app.furusato import batch_models, letter_models, returns_models, status_models, transfer_models  # noqa: E402,F401
from app.furusato.calls import models as calls_models  # noqa: E402,F401
from app.furusato.gifts import models as gift_models  # noqa: E402,F401
from app.furusato.onestop import models as onestop_models  # noqa: E402,F401
from app.furusato.reports import models as reports_models  # noqa: E402,F401
from app.furusato.retention import models as retention_models  # noqa: E402,F401
from app.furusato.settlement import models as settlement_models  # noqa: E402,F401
from app.furusato.shipping import models as shipping_models  # noqa: E402,F401
