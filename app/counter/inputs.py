"""入力 (000 §6(1)②ア): the procedure's own form, kept on the case with the fees it brings,
then sent to city review (審査依頼) or, for a procedure the city need not review, finished."""

from __future__ import annotations

from typing import Any

from app.auth import audit
from app.auth.models import User
from app.core.dates import today
from app.counter import workflow
from app.counter.cases import CaseError, drop_fee_lines, guard, move, record_event
from app.counter.checks import check_problems
from app.counter.forms_data import InputContext, InputError, clean
from app.counter.models import Case, CaseState, FeeLine, RequesterKind
from app.counter.residents import needs_subject, subject_household
from app.extensions import db
from app.register import fees as register_fees


def save_input(case: Case, raw: dict[str, Any], by: User) -> dict[str, Any]:
    """Check the procedure's form (InputError names each field) and keep it; fee lines follow."""
    if case.state != CaseState.input:
        raise CaseError(f"入力は状態が「入力」の案件でだけできます（現在：{case.state.label}）。")
    if needs_subject(case.procedure) and case.subject_resident_id is None:
        raise InputError("先に対象者（住民記録）を選んでください。", "subject")
    ctx = InputContext(case.procedure.code, case.requester_kind, subject_household(case, by), today())
    data = clean(case.procedure.fields, raw, ctx)
    case.form_data = data
    _replace_fee_lines(case)
    record_event(case, by, "input", "入力内容を保存")
    db.session.flush()
    audit.record("update", "case", case.id, "入力内容の保存", by=by)
    return data


def starting_values(case: Case) -> dict[str, Any]:
    """What the procedure's form shows before anything is saved (issue 15 §1): 通数 1, and as
    記載する方 the one person the request is about (the subject, 本人の住民票), the usual
    request; the operator changes either when the request says otherwise."""
    names = {spec["name"] for spec in case.procedure.fields}
    values: dict[str, Any] = {"copies": 1} if "copies" in names else {}
    if {"scope", "members"} <= names and case.subject_resident_id is not None:
        values |= {"scope": "selected", "members": [case.subject_resident_id]}
    return values


def _replace_fee_lines(case: Case) -> None:
    drop_fee_lines(case)
    code = case.procedure.fee_code
    if not code:
        return
    fee = register_fees.rates_on(today()).get(code)
    if fee is None:
        raise CaseError(f"手数料表に「{code}」がありません。管理者に手数料表の確認を依頼してください。")
    quantity = int(case.form_data.get("copies") or 1)
    case.fee_lines.append(FeeLine(fee_code=code, label=fee.label, quantity=quantity, unit_amount=fee.amount,
                                  official_free=case.requester_kind == RequesterKind.official))


def input_shown(case: Case) -> bool:
    """The procedure's form shows once the checks are confirmed (if the procedure has one)."""
    return bool(case.procedure.fields) and case.state not in workflow.CHECK_STATES


def can_edit_input(case: Case, by: User) -> bool:
    return workflow.is_counter_staff(by.role) and case.state == CaseState.input


def fee_total(case: Case) -> int:
    return sum(line.amount for line in case.fee_lines)


def _input_saved(case: Case, by: User) -> None:
    if not case.form_data and case.procedure.fields:
        raise CaseError("入力内容がまだ保存されていません。入力して保存してください。")
    # the subject may still change in 入力: the checks confirmed for the old one must hold
    problems = check_problems(case, by)
    if problems:
        raise CaseError.of(problems, "確認の結果、このままでは進められません。")


def request_review(case: Case, by: User) -> None:
    """入力 → 審査依頼 (000 §6(1)②ア: 証明書の作成、委託者職員への審査依頼)."""
    guard("request_review", case, by)
    if not case.procedure.review_required:
        raise CaseError("この手続は審査を要しません。「入力完了」で交付へ進めてください。")
    _input_saved(case, by)
    case.returned = False
    move(case, "request_review", by)


def finish_input(case: Case, by: User) -> None:
    guard("finish_input", case, by)
    if case.procedure.review_required:
        raise CaseError("この手続は市職員の審査が必要です（000 §7(2)）。「審査依頼」をしてください。")
    _input_saved(case, by)
    move(case, "finish_input", by)
