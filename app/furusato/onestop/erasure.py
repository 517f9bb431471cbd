"""Erasure of the individual numbers and the application images once they are no longer needed
(番号法第20条: specific personal information is not kept beyond what the work needs; the
contract's 特定個人情報等の取扱いに関する特記事項 §12: erased only by a plan the city approved
first, and recorded — items, medium, count, method, date, who).

This is one kind of the donation office's retention and disposal (app/furusato/retention:
the city's period, the sweep, 廃棄申請 → the city's 承諾 → carried out as a task → 廃棄記録),
not a mechanism of its own. An application's number and images are due when the notification
data holding it has been handed over to its home municipality (the handover's 引渡し recorded,
eltax.record_handover) more than the city's period ago, and no change is waiting for a
corrected file. The application itself stays (state, dates, masked nothing: the tail goes too)
for the programme's statistics; the number's ciphertext and tail and the images' ciphertext
are cleared and the moment recorded (number_erased_at, erased_at).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import ColumnElement, and_, exists, or_, select, update

from app.auth import audit
from app.core.dates import now
from app.extensions import db
from app.furusato.onestop.models import OneStopApplication, OneStopHandover, OneStopImage

MEDIUM = "データベース（個人番号の暗号文・下4桁、申請書の画像の暗号文）"
METHOD = "個人番号と画像の暗号文を消去し（復元できない形で削除）、消去日時を記録"


def _handed_over(before: date) -> ColumnElement[bool]:
    return exists().where(OneStopHandover.tax_year == OneStopApplication.tax_year,
                          OneStopHandover.home_code == OneStopApplication.home_code,
                          OneStopHandover.handed_at.is_not(None),
                          OneStopHandover.handed_at < datetime.combine(before, time.min))


def _still_held() -> ColumnElement[bool]:
    return or_(OneStopApplication.number_cipher.is_not(None), OneStopApplication.number_tail != "",
               exists().where(OneStopImage.application_id == OneStopApplication.id, OneStopImage.cipher.is_not(None)))


def due(before: date) -> ColumnElement[bool]:
    """Applications handed over before the day (their period passed) that still hold a number or image."""
    return and_(OneStopApplication.handed_over_at.is_not(None), ~OneStopApplication.changed_after_handover,
                _handed_over(before), _still_held())


def erase(before: date) -> tuple[int, int]:
    """Clear the due applications' numbers and images: (applications, images)."""
    ids = list(db.session.scalars(select(OneStopApplication.id).where(due(before))))
    at, images = now(), 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.session.execute(update(OneStopApplication).where(OneStopApplication.id.in_(chunk))
                           .values(number_cipher=None, number_tail="", number_erased_at=at)
                           .execution_options(synchronize_session="fetch"))
        images += db.session.execute(update(OneStopImage).where(OneStopImage.application_id.in_(chunk),
                                                                OneStopImage.cipher.is_not(None))
                                     .values(cipher=None, erased_at=at)
                                     .execution_options(synchronize_session="fetch")).rowcount or 0
    if ids:
        audit.record("void", "furusato_onestop_erasure", "list",
                     f"個人番号{len(ids)}件・画像{images}件を消去（{before}より前に引き渡した申請）", by=None)
    return len(ids), images
