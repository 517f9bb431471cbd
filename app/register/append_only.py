"""Payments, their lines, the daily closes, the cash counts and the reopenings are append-only:
nothing about them is edited or deleted, a mistake is undone by a reversing record (the
database refuses it too, with triggers: see the register's migrations). Imported by the
register's services, so the guard is on for every session."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.register.models import CashCount, DailyClose, Payment, PaymentLine, RegisterReopening


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(Session, "before_flush")
def _refuse_payment_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, Payment | PaymentLine | DailyClose | CashCount | RegisterReopening) and (
                obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError("収納・日計の記録は変更・削除できません。取消の記録で打ち消してください。")
