"""Search, totals and CSV export of donations (004 §7(3)ウ, エ).

Conditions are plain data (`DonationFilter`) turned into one SQL WHERE, so the page, the totals,
the chart and the export all answer the same question. The export streams in pages (app/furusato/
exports.py sends a small one at once and writes a large one in the background).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Select, case, extract, func, or_, select, tuple_

from app.auth import audit
from app.auth.models import User
from app.core import spreadsheet
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.models import Donation, DonationState, Donor, Portal

AMOUNT_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "lt10k": ("1万円未満", None, 9_999),
    "10k": ("1万円〜3万円未満", 10_000, 29_999),
    "30k": ("3万円〜5万円未満", 30_000, 49_999),
    "50k": ("5万円〜10万円未満", 50_000, 99_999),
    "100k": ("10万円以上", 100_000, None),
}
PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)
EXPORT_ENCODINGS = {"utf-8-sig": "UTF-8（BOM付き・Excel向け）", "cp932": "Shift_JIS（CP932）"}
PAGE_SIZE = 50
GETA = "〓"  # the customary mark for a character the target encoding cannot hold


def _geta(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeEncodeError)
    return GETA * (error.end - error.start), error.end


codecs.register_error("furusato_geta", _geta)


@dataclass(frozen=True)
class DonationFilter:
    date_from: date | None = None
    date_to: date | None = None
    portal: str = ""
    gift: str = ""
    prefecture: str = ""
    amount_band: str = ""
    status: str = ""
    one_stop: str = ""  # "", "yes", "no"
    text: str = ""  # name, kana or order number

    def describe(self) -> str:
        return " ".join(f"{k}={v}" for k, v in asdict(self).items() if v not in (None, ""))

    def as_params(self) -> dict[str, Any]:
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in asdict(self).items()}

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> DonationFilter:
        days = {k: date.fromisoformat(params[k]) if params.get(k) else None for k in ("date_from", "date_to")}
        return cls(**{**params, **days})


def conditions(f: DonationFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.date_from:
        where.append(Donation.applied_on >= f.date_from)
    if f.date_to:
        where.append(Donation.applied_on <= f.date_to)
    if f.portal:
        where.append(Donation.portal_id == select(Portal.id).where(Portal.code == f.portal).scalar_subquery())
    if f.gift:
        gift = f.gift.strip()
        where.append(or_(Donation.gift_code == gift, Donation.gift_name.contains(gift, autoescape=True)))
    if f.prefecture:
        where.append(Donation.prefecture == f.prefecture)
    if f.amount_band in AMOUNT_BANDS:
        _, low, high = AMOUNT_BANDS[f.amount_band]
        if low is not None:
            where.append(Donation.amount >= low)
        if high is not None:
            where.append(Donation.amount <= high)
    if DonationState.has(f.status):
        where.append(Donation.status == f.status)
    if f.one_stop in ("yes", "no"):
        where.append(Donation.one_stop.is_(f.one_stop == "yes"))
    if f.text.strip():
        where.append(text_condition(f.text.strip()))
    return where


# A query that is a phone number in some notation: digits and the separators people type.
_PHONE_CHARS = frozenset("0123456789+-()（）ー－ 　")


def _without_spaces(column: Any) -> ColumnElement[str]:
    return func.replace(func.replace(column, " ", ""), "\u3000", "")


def text_condition(text: str) -> ColumnElement[bool]:
    """The free text of the search: a name with or without spaces, its kana (hiragana, katakana,
    half width, small kana as large: the donor's kana key, app/core/text.py's fold), a part of an
    order number, or a phone number in any notation (the donor's phone key, its digits).
    The phone number is an equality on an indexed key; name, kana and order number are
    substring matches (LIKE '%…%'), a scan of the rows the other conditions leave."""
    name = nz.name_key(text)
    kana = nz.kana_key(text)
    either: list[ColumnElement[bool]] = [Donation.order_id.contains(nz.nfkc(text), autoescape=True)]
    if name:
        either.append(_without_spaces(Donation.name).contains(name, autoescape=True))
    if kana:
        either.append(Donation.donor_id.in_(select(Donor.id).where(Donor.kana_key.contains(kana, autoescape=True))))
    phone = nz.phone_digits(text)
    if set(nz.nfkc(text)) <= _PHONE_CHARS and len(phone) >= 10:
        either.append(Donation.donor_id.in_(select(Donor.id).where(Donor.phone_key == phone)))
    return or_(*either)


@dataclass(frozen=True)
class Total:
    """The one definition of a total (issue 15 §4): the amount of the donations that stand,
    cancelled ones excluded and counted apart, on every page that shows a total."""

    count: int  # donations not cancelled
    amount: int
    cancelled_count: int
    cancelled_amount: int


def total(f: DonationFilter) -> Total:
    cancelled = Donation.status == DonationState.cancelled
    row = db.session.execute(select(
        func.count(), func.coalesce(func.sum(case((cancelled, 0), else_=Donation.amount)), 0),
        func.coalesce(func.sum(case((cancelled, 1), else_=0)), 0),
        func.coalesce(func.sum(case((cancelled, Donation.amount), else_=0)), 0),
    ).select_from(Donation).where(*conditions(f))).one()
    every, amount, cancelled_count, cancelled_amount = map(int, row)
    return Total(every - cancelled_count, amount, cancelled_count, cancelled_amount)


@dataclass(frozen=True)
class SearchResult:
    rows: list[Donation]
    total: Total
    page: int

    @property
    def count(self) -> int:
        """Every row the search lists, cancelled ones included."""
        return self.total.count + self.total.cancelled_count

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // PAGE_SIZE))


def search(f: DonationFilter, page: int = 1, *, by: User | None) -> SearchResult:
    """One page of the donations the filter selects; the page is a read of each one shown."""
    where = conditions(f)
    summed = total(f)
    page = max(1, page)
    rows = db.session.scalars(
        select(Donation).where(*where).order_by(Donation.applied_on.desc(), Donation.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    what = f"寄附の検索（{f.describe() or '条件なし'}、{page}ページ）"
    audit.read_list("furusato_donation", (r.id for r in rows), what, by=by)
    return SearchResult(list(rows), summed, page)


@dataclass(frozen=True)
class MonthTotal:
    month: str
    portal_id: int
    count: int
    amount: int


def totals(f: DonationFilter) -> list[MonthTotal]:
    """Count and amount by month of application and portal, cancelled donations excluded
    (`Total`: the page shows them apart)."""
    where = [*conditions(f), Donation.status != DonationState.cancelled]
    year, month = extract("year", Donation.applied_on), extract("month", Donation.applied_on)
    query: Select[Any] = (select(year, month, Donation.portal_id, func.count(), func.sum(Donation.amount))
                          .where(*where).group_by(year, month, Donation.portal_id).order_by(year, month))
    return [MonthTotal(f"{int(y):04d}-{int(m):02d}", p, int(c), int(a or 0))
            for y, m, p, c, a in db.session.execute(query)]


EXPORT_COLUMNS = ("寄附ID", "ポータル", "注文番号", "申込日時", "申込日", "入金日", "寄附金額", "決済方法", "入金状況",
                  "返礼品コード", "返礼品名", "数量", "ワンストップ特例希望", "受領証明書希望", "寄附者ID", "氏名",
                  "フリガナ", "生年月日", "郵便番号", "都道府県", "住所", "電話番号", "メールアドレス", "備考")


def export_count(f: DonationFilter) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Donation).where(*conditions(f))) or 0)


EXPORT_PAGE_ROWS = 2000


def export_pages(f: DonationFilter, encoding: str, mark: str = "") -> Iterator[tuple[int, bytes]]:
    """The search as CSV, in pages of (rows so far, bytes): UTF-8 with one BOM at the start
    (Excel) or Shift_JIS; dates as 2026-04-01; `mark` (an approved request's) as the first
    line, before the header. Each page is read in a transaction of its own, by key
    (applied_on, id), so a long export never holds a transaction (on SQLite, the lock)."""
    if encoding not in EXPORT_ENCODINGS:
        raise ValueError(encoding)
    portals = {p.id: p.name for p in db.session.scalars(select(Portal))}
    encoder = codecs.getincrementalencoder(encoding)(errors="furusato_geta")
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer, lineterminator="\r\n")

    def flush() -> bytes:
        data = encoder.encode(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
        return data

    if mark:
        writer.writerow([mark])
    writer.writerow(EXPORT_COLUMNS)
    yield 0, flush()
    done, after = 0, None
    while True:
        query = select(Donation).where(*conditions(f))
        if after is not None:
            query = query.where(tuple_(Donation.applied_on, Donation.id) > tuple_(*after))
        page = list(db.session.scalars(query.order_by(Donation.applied_on, Donation.id).limit(EXPORT_PAGE_ROWS)))
        writer.writerows(_export_row(d, portals) for d in page)
        if page:
            after = (page[-1].applied_on, page[-1].id)
        db.session.rollback()
        done += len(page)
        yield done, flush()
        if len(page) < EXPORT_PAGE_ROWS:
            return


def _export_row(d: Donation, portals: dict[int, str]) -> list[Any]:
    return [
        d.id, portals.get(d.portal_id, ""), d.order_id, d.applied_at.strftime("%Y-%m-%d %H:%M:%S"),
        d.applied_on.isoformat(), d.paid_on.isoformat() if d.paid_on else "", d.amount,
        d.payment_method_label, d.status.label,
        d.gift_code, d.gift_name, d.quantity, "希望" if d.one_stop else "", "希望" if d.receipt_wish else "不要",
        d.donor_id, d.name, d.kana, d.birth_date.isoformat() if d.birth_date else "", d.postal_code,
        d.prefecture, d.address, d.phone, d.email, d.notes,
    ]


# --- the chart -----------------------------------------------------------------------------

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#6a4c93", "#8c6d1f", "#1b998b", "#e15554", "#555555")


def round_ticks(peak: int, most: int = 5) -> list[int]:
    """The amount axis's ticks from 0: a step of 1, 2, 2.5 or 5 times a power of ten yen, the
    smallest that covers `peak` in at most `most` steps (1,000万円 steps, not 617万円)."""
    if peak <= 0:
        return [0, 1]
    power = 10 ** max(0, len(str(int(peak))) - 2)
    while True:
        for factor in (10, 20, 25, 50):
            step = power * factor // 10
            if step and -(-peak // step) <= most:
                return [step * i for i in range(-(-peak // step) + 1)]
        power *= 10


def tick_label(amount: int) -> str:
    """A tick as people say amounts: 0円, 500円, 1,000万円, 1億5,000万円 (円 when not whole 万円)."""
    if amount == 0 or amount % 10_000:
        return f"{amount:,}円"
    oku, man = divmod(amount // 10_000, 10_000)
    if not oku:
        return f"{man:,}万円"
    return f"{oku:,}億{man:,}万円" if man else f"{oku:,}億円"


def chart_svg(rows: list[MonthTotal], portals: list[Portal]) -> Markup:
    """Stacked bars of the amount by month, one colour per portal, drawn on the server."""
    if not rows:
        return Markup('<p class="note">集計する寄附がありません。</p>')
    months = sorted({r.month for r in rows})
    used = [p for p in portals if any(r.portal_id == p.id for r in rows)]
    colour = {p.id: PALETTE[i % len(PALETTE)] for i, p in enumerate(used)}
    by_month: dict[str, dict[int, int]] = {m: {} for m in months}
    for r in rows:
        by_month[r.month][r.portal_id] = by_month[r.month].get(r.portal_id, 0) + r.amount
    ticks = round_ticks(max(sum(v.values()) for v in by_month.values()))
    peak = ticks[-1]
    width, height, left, bottom, top = 760, 300, 90, 40, 10
    bar = max(8, min(48, (width - left - 20) // max(1, len(months)) - 8))
    step = (width - left - 20) / max(1, len(months))
    full_height = height + 30 + 20 * ((len(used) + 3) // 4)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {full_height}"'
             ' role="img" aria-label="月別・ポータル別の寄附金額" class="chart">']
    plot = height - bottom - top
    for value in ticks:
        y = top + plot - plot * value / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" class="tick">'
                     f'{tick_label(value)}</text>')
    for i, month in enumerate(months):
        x = left + step * i + (step - bar) / 2
        y = top + plot
        for p in used:
            amount = by_month[month].get(p.id, 0)
            if not amount:
                continue
            h = plot * amount / peak
            y -= h
            label = f"{month} {p.name} {amount:,}円"
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{colour[p.id]}">'
                         f'<title>{escape(label)}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
                     f'{escape(month)}</text>')
    for i, p in enumerate(used):
        lx, ly = left + (i % 4) * 170, height + 10 + (i // 4) * 20
        parts.append(f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{colour[p.id]}"/>'
                     f'<text x="{lx + 16}" y="{ly + 11}" font-size="12">{escape(p.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
