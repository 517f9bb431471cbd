"""審査 (000 §7(2)): city staff take the case, then approve it (a resident move reaches the
registry only now) or return it to the operator for correction."""

from __future__ import annotations

from app.auth.models import User
from app.core.dates import now
from app.counter.cases import CaseError, guard, move
from app.counter.models import Case
from app.counter.moves import MOVE_CODES, move_order
from app.registry import services as registry
from app.registry.adapter import RegistryError


def start_review(case: Case, by: User) -> None:
    guard("start_review", case, by)
    case.reviewer_id = by.id
    move(case, "start_review", by)


def approve(case: Case, by: User, note: str = "") -> None:
    """審査 → 交付. A resident move is applied to the registry only now (000 §7(2))."""
    guard("approve", case, by)
    if case.procedure.code in MOVE_CODES:
        try:
            registry.apply_move(move_order(case, by), f"窓口案件 {case.id}：{case.procedure.name}の承認", by=by)
        except RegistryError as exc:
            raise CaseError(f"住民記録に反映できません：{exc.message}") from exc
    case.reviewer_id, case.approved_at = by.id, now()
    move(case, "approve", by, note.strip())


def return_for_correction(case: Case, by: User, reason: str) -> None:
    """審査 → 入力 with the reason, back to the operator."""
    guard("return", case, by)
    if not reason.strip():
        raise CaseError("差戻しの理由を入力してください。", field="note")
    case.returned, case.return_reason, case.reviewer_id = True, reason.strip(), by.id
    move(case, "return", by, reason.strip())
