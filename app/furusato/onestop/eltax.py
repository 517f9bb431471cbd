"""The 申告特例通知書 data (issue 17 §4; 004 §7(11), §13(5)): per home municipality, the year's
accepted applications with their donation totals, in the layout's format (layout.py), a PDF
list for the city's check, the counts for the §13(5) invoice, and the handover record.

- The home municipality is the one of the address the application holds (the form's address,
  as a 変更届 before 10 January changed it: the address on 1 January of the following year).
- A municipality whose data changed after its file was built gets a new file marked 訂正 (its
  header's 作成区分 is 2 and the handover row says correction); one whose rows are as they were
  handed over is not built again.
- The number is decrypted here only, row by row into the file; the audit row names the file,
  the municipality and the count, never a number.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, Spacer, TableStyle
from sqlalchemy import ColumnElement, Select, func, select, update

from app.auth import audit
from app.auth.models import User
from app.core import pdf
from app.core.dates import now, today
from app.core.services import get_municipality
from app.extensions import db
from app.furusato.models import Donation
from app.furusato.onestop import layout as lay
from app.furusato.onestop import vault
from app.furusato.onestop.applications import PAID
from app.furusato.onestop.models import (
    ApplicationState,
    OneStopApplication,
    OneStopDonation,
    OneStopHandover,
)
from app.tasks import files
from app.tasks import services as tasks

GENDER_CODES = {"男": "1", "女": "2"}


@dataclass(frozen=True)
class Summary:
    code: str
    name: str
    rows: int
    total: int
    correction: bool
    file: str
    list: str
    unchanged: bool = False


def _accepted(year: int) -> tuple[ColumnElement[bool], ...]:
    """The applications that go into the year's files: accepted, the number not erased."""
    return (OneStopApplication.tax_year == year, OneStopApplication.state == ApplicationState.accepted,
            OneStopApplication.number_erased_at.is_(None))


def _totals_query(year: int) -> Select[Any]:
    """Per accepted application: count, total, first and last paid day of its donations paid in the year."""
    return (select(OneStopDonation.application_id.label("application_id"), func.count().label("n"),
                   func.sum(Donation.amount).label("total"), func.min(Donation.paid_on).label("first"),
                   func.max(Donation.paid_on).label("last"))
            .join(Donation, Donation.id == OneStopDonation.donation_id)
            .join(OneStopApplication, OneStopApplication.id == OneStopDonation.application_id)
            .where(OneStopApplication.tax_year == year, OneStopApplication.state == ApplicationState.accepted,
                   Donation.status.in_(PAID), Donation.paid_on >= date(year, 1, 1),
                   Donation.paid_on <= date(year, 12, 31))
            .group_by(OneStopDonation.application_id))


def _totals(year: int) -> dict[int, tuple[int, int, date | None, date | None]]:
    """Per accepted application: (count, total, first paid, last paid) of its donations paid in the year."""
    return {a: (int(n), int(t or 0), lo, hi) for a, n, t, lo, hi in db.session.execute(_totals_query(year))}


def _values(a: OneStopApplication, totals: tuple[int, int, date | None, date | None]) -> dict[str, Any]:
    count, total, first, last = totals
    return {"application_id": a.id, "number": vault.for_eltax(a.number_cipher) if a.number_cipher else "",
            "name": a.name, "kana": a.kana, "gender_code": GENDER_CODES.get(a.gender, ""), "birth_date": a.birth_date,
            "postal_code": a.postal_code, "address": a.address, "count": count, "total": total,
            "first_paid_on": first, "last_paid_on": last}


def by_municipality(year: int) -> dict[str, list[OneStopApplication]]:
    grouped: dict[str, list[OneStopApplication]] = defaultdict(list)
    for a in db.session.scalars(select(OneStopApplication).where(*_accepted(year))
            .order_by(OneStopApplication.home_code, OneStopApplication.id)):
        grouped[a.home_code].append(a)
    return grouped


def _last_handover(year: int, code: str) -> OneStopHandover | None:
    return db.session.scalar(select(OneStopHandover).where(OneStopHandover.tax_year == year,
                                                           OneStopHandover.home_code == code)
                             .order_by(OneStopHandover.id.desc()).limit(1))


def _list_pdf(year: int, code: str, name: str, rows: list[dict[str, Any]], correction: bool) -> bytes:
    """The city's check list: one line per application, the number masked."""
    st = pdf.styles()
    city = get_municipality()
    title = f"申告特例通知書 送付一覧（{year}年寄附分）{'【訂正】' if correction else ''}"
    story: list[Any] = [Paragraph(title, st["title"]), Paragraph(f"通知先：{name}（{code}）　{len(rows)}件　"
                                                                 f"寄附金額合計 {sum(r['total'] for r in rows):,}円",
                                                                 st["body"]), Spacer(1, 4 * mm)]
    data = [["整理番号", "氏名", "生年月日", "個人番号", "件数", "寄附金額合計"]]
    data += [[str(r["application_id"]), r["name"], r["birth_date"].isoformat() if r["birth_date"] else "",
              r["masked"], str(r["count"]), f"{r['total']:,}円"] for r in rows]
    table = LongTable(data, repeatRows=1, colWidths=[20 * mm, 45 * mm, 25 * mm, 35 * mm, 12 * mm, 30 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), pdf.GOTHIC, 8.5), ("GRID", (0, 0), (-1, -1), 0.3, "#888888"),
                               ("ALIGN", (4, 1), (-1, -1), "RIGHT")]))
    story.append(table)
    return pdf.build(story, title, city.name if city else "",
                     pdf.page_decorator(city.name if city else "", "ふるさと納税担当", f"{year}年分 {code}"))


def _stream(year: int) -> Iterator[tuple[str, list[tuple[OneStopApplication, tuple[int, int, Any, Any]]]]]:
    """(home code, [(application, totals)]) per municipality, read in one ordered query with
    the donation totals joined, a batch at a time (never the whole year in memory)."""
    totals = _totals_query(year).subquery()
    query = (select(OneStopApplication, totals.c.n, totals.c.total, totals.c.first, totals.c.last)
             .outerjoin(totals, totals.c.application_id == OneStopApplication.id)
             .where(*_accepted(year)).order_by(OneStopApplication.home_code, OneStopApplication.id)
             .execution_options(yield_per=2000))
    rows = ((a, (int(n or 0), int(t or 0), lo, hi)) for a, n, t, lo, hi in db.session.execute(query))
    for code, group in groupby(rows, key=lambda row: row[0].home_code):
        yield code, list(group)


def _private(path: Path) -> BinaryIO:
    """A file only its owner reads (mode 600, like the key file): the data file carries the
    individual numbers in clear, as eLTAX takes them, and the list the donors' names and addresses."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file of an earlier run keeps its mode through O_CREAT
    return os.fdopen(fd, "wb")


def build(year: int, out: Path, *, by: User | None, layout_path: Path | None = None,
          made_on: date | None = None, lists: bool = True) -> list[Summary]:
    """Every municipality's file and list for the year's accepted applications, streamed one
    municipality at a time; the handover rows recorded (built; handed over when
    `record_handover` says so)."""
    layout = lay.load(layout_path)
    city = get_municipality()
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    summaries: list[Summary] = []
    ext = "csv" if layout.format == "csv" else "txt"
    latest = {h.home_code: h for h in db.session.scalars(select(OneStopHandover).where(
        OneStopHandover.tax_year == year).order_by(OneStopHandover.id))}  # the last of each municipality
    built: list[str] = []
    with db.session.no_autoflush:
        for code, applications in _stream(year):
            rows = [(f"整理番号{a.id}", {**_values(a, t), "masked": a.masked_number}) for a, t in applications]
            body, problems = lay.lines(layout.record, rows, layout)
            home_name = applications[0][0].home_name
            if problems:
                raise lay.LayoutError.of(problems, f"{home_name}の申告特例通知書を作れません。")
            digest = hashlib.sha256(body).hexdigest()
            last = latest.get(code)
            if last is not None and last.sha256 == digest:
                summaries.append(Summary(code, home_name, last.rows, last.total, last.correction, last.filename, "",
                                         unchanged=True))
                continue
            correction = last is not None
            head = {"kind": "2" if correction else "1", "sender_code": city.code if city else "",
                    "sender_name": city.name if city else "", "home_code": code, "home_name": home_name,
                    "tax_year": year, "made_on": made_on or today()}
            grand = sum(v["total"] for _, v in rows)
            stem = f"{code}_{year}_shinkoku_tokurei{'_teisei' if correction else ''}"
            with _private(out / f"{stem}.{ext}") as file:
                file.write(lay.line(layout.header, head, layout, "ヘッダー"))
                file.write(body)
                file.write(lay.line(layout.trailer, {"rows": len(rows), "grand_total": grand}, layout, "トレーラー"))
            if lists:
                listing = [{k: v for k, v in values.items() if k != "number"} for _, values in rows]
                with _private(out / f"{stem}.pdf") as file:
                    file.write(_list_pdf(year, code, home_name, listing, correction))
            db.session.add(OneStopHandover(tax_year=year, home_code=code, home_name=home_name, rows=len(rows),
                                           total=grand, correction=correction, filename=f"{stem}.{ext}",
                                           sha256=digest, built_by=by.username if by else "(system)"))
            built.append(code)
            mark = "（訂正）" if correction else ""
            audit.record("export", "furusato_onestop_handover", code,
                         f"申告特例通知書{mark}：{home_name} {year}年分 {len(rows)}件", by=by)
            summaries.append(Summary(code, home_name, len(rows), grand, correction, f"{stem}.{ext}",
                                     f"{stem}.pdf" if lists else ""))
    at = now()
    for start in range(0, len(built), 500):  # the built municipalities' applications: handed over, unchanged since
        db.session.execute(update(OneStopApplication).where(*_accepted(year),
                                                            OneStopApplication.home_code.in_(built[start:start + 500]))
                           .values(handed_over_at=at, changed_after_handover=False)
                           .execution_options(synchronize_session="fetch"))
    db.session.flush()
    return summaries


def record_handover(handover: OneStopHandover, how: str, *, by: User) -> None:
    """引渡しの記録: when, how (eLTAX, 電子媒体 …), by whom the file reached the city."""
    handover.handed_at, handover.handed_how, handover.handed_by = now(), how.strip()[:100], by.username
    audit.record("update", "furusato_onestop_handover", handover.id,
                 f"引渡し：{handover.home_name} {handover.rows}件（{handover.handed_how}）", by=by)


def invoice_counts(year: int) -> dict[str, int]:
    """§13(5): the counts the invoice is based on (applications accepted, municipalities notified)."""
    handovers = list(db.session.scalars(select(OneStopHandover).where(OneStopHandover.tax_year == year)))
    latest: dict[str, OneStopHandover] = {}
    for h in handovers:
        latest[h.home_code] = h
    return {"municipalities": len(latest), "notified": sum(h.rows for h in latest.values()),
            "files": len(handovers), "corrections": sum(1 for h in handovers if h.correction)}


def as_json(summary: Summary) -> dict[str, Any]:
    return asdict(summary)


# --- in the background (the page's button) -----------------------------------------------------

TASK_KIND = "furusato.onestop_eltax"


@tasks.kind(TASK_KIND, title="申告特例通知書データの作成", programme="furusato")
def build_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    """Every municipality's file and list into one ZIP (the task's file), the handovers recorded."""
    year = int(ctx.params["year"])
    ctx.progress(0, None, phase="受理済みの申請を集めています", unit="市区町村")
    folder = files.path_for(ctx.task_id, "-eltax")
    by = db.session.get(User, ctx.params["by"]) if ctx.params.get("by") else None
    summaries = build(year, folder, by=by)
    with files.writing(ctx.task_id, ".zip") as out, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    db.session.commit()
    built = [s for s in summaries if not s.unchanged]
    ctx.progress(len(summaries), len(summaries), phase="完了")
    return {"summary": f"{len(built)}市区町村のファイルを作成しました（変更なし{len(summaries) - len(built)}）",
            "municipalities": [as_json(s) for s in summaries], "file": f"/furusato/onestop/eltax/{ctx.task_id}.zip",
            "download": f"/furusato/onestop/eltax/{ctx.task_id}.zip", "download_label": "ZIPファイルをダウンロード",
            "link": "/furusato/onestop/eltax", "link_label": "申告特例通知書データの画面へ"}


def handovers(year: int) -> list[OneStopHandover]:
    return list(db.session.scalars(select(OneStopHandover).where(OneStopHandover.tax_year == year)
                                   .order_by(OneStopHandover.home_code, OneStopHandover.id)))


def write_lists(year: int, out: Path, limit: int | None = None) -> int:
    """The PDF lists of the municipalities' latest files (for a build made with lists=False)."""
    grouped = by_municipality(year)
    totals = _totals(year)
    written = 0
    for code, applications in list(grouped.items())[:limit]:
        last = _last_handover(year, code)
        rows = [{**{k: v for k, v in _values(a, totals.get(a.id, (0, 0, None, None))).items() if k != "number"},
                 "masked": a.masked_number} for a in applications]
        stem = Path(last.filename).stem if last else f"{code}_{year}_shinkoku_tokurei"
        (out / f"{stem}.pdf").write_bytes(_list_pdf(year, code, applications[0].home_name, rows,
                                                    bool(last and last.correction)))
        written += 1
    return written
