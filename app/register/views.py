"""The cashier screen (/register), payments and receipts, voids, the daily close, fees."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import ALL_STAFF, roles, serves
from app.auth.models import Programme
from app.core.dates import today
from app.devices.models import Terminal
from app.extensions import db
from app.queue import services as queue
from app.queue import streams
from app.register import fees, reads, receipts, reopening, services
from app.register.forms import (
    CancelBillForm,
    CloseForm,
    FeeForm,
    FloatForm,
    PaymentForm,
    RegisterChoiceForm,
    ReopenForm,
    VoidRequestForm,
)
from app.register.models import DENOMINATIONS, Bill, DailyClose, Payment, VoidRequest
from app.register.pdf import close_pdf
from app.web.forms import choices, fold_code, input_from, integer, show_refusal
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = serves(Blueprint("register", __name__, url_prefix="/register"), Programme.counter)
NAV = (
    NavItem("レジ（会計）", "register.index", "会計"),
    NavItem("収納一覧", "register.payments", "会計"),
    NavItem("取消の承認", "register.voids", "会計"),
    NavItem("日計", "register.close", "会計"),
    NavItem("日計表", "register.closes", "会計"),
    NavItem("手数料表", "register.fees", "会計"),
)
CASHIERS = ("operator", "supervisor")
SESSION_KEY = "register_terminal_id"


@bp.context_processor
def register_context() -> dict[str, Any]:
    labels = {code: rate.label for code, rate in fees.rates_on(today()).items()}
    return {"fee_label": lambda code: labels.get(code, code), "today_date": today(),
            "day_start": datetime.combine(today(), time.min)}


def _register(available: list[Terminal] | None = None) -> Terminal | None:
    """The register this browser works at: chosen once per session, or the only one."""
    available = services.register_terminals() if available is None else available
    chosen = session.get(SESSION_KEY)
    for terminal in available:
        if terminal.id == chosen:
            return terminal
    return available[0] if len(available) == 1 else None


def _require_register() -> Terminal:
    terminal = _register()
    if terminal is None:
        flash("先にこの画面で使うレジを選んでください。", "warning")
        abort(redirect(url_for("register.index"), 303))
    return terminal


def _register_form(terminal: Terminal | None, available: list[Terminal] | None = None) -> RegisterChoiceForm:
    form = RegisterChoiceForm(terminal_id=terminal.id if terminal else None)
    terminals = services.register_terminals() if available is None else available
    form.terminal_id.choices = choices((t.id, f"{t.name}（{t.code}）") for t in terminals)
    return form


def _cashier_page(bill: Bill | None = None, form: PaymentForm | None = None, status: int = 200,
                  cancel_form: CancelBillForm | None = None) -> tuple[str, int]:
    """The cashier's screen, or only its list of open bills for the list refreshing itself
    (when the bills change: the page follows the register's bill events)."""
    available = services.register_terminals()
    terminal = _register(available)
    error, quote = "", None
    if bill is not None:
        try:
            quote = services.quote_bill(bill)
        except services.RegisterError as exc:
            error = exc.message
    if form is None:
        form = PaymentForm(idempotency_key=uuid.uuid4().hex)
    open_day = services.earliest_open_day(terminal) if terminal else None
    return page_or_fragment(
        "register/index.html", "register/_bills.html", terminal=terminal,
        register_form=_register_form(terminal, available),
        bills=reads.open_bills(by=current_user), selected=bill, quote=quote, form=form, error=error,
        open_day=open_day,
        totals=services.day_totals(open_day) if open_day else None,
        pending_voids=len(services.pending_void_requests()), cancel_form=cancel_form or CancelBillForm(),
        may_cancel=services.can_cancel_bills(current_user),
    ), status


@bp.route("/bills/stream")
@roles(*CASHIERS)
def bills_stream() -> Response:
    """The cashier's screen follows the register's bill events (opened, paid, cancelled, voided)
    and refreshes its list of open bills on each."""
    return streams.response(streams.StreamSpec(board="register-bills", channels=(services.BILLS_CHANNEL,),
                                               render_update=lambda: "", update_event="bills"))


@bp.route("")
@roles(*CASHIERS)
def index() -> tuple[str, int]:
    bill_id = request.args.get("bill", type=integer)
    bill = db.session.get(Bill, bill_id) if bill_id else None
    return _cashier_page(bill if bill is not None and bill.is_open else None)


@bp.route("/call-next", methods=["POST"])
@roles(*CASHIERS)
def call_next() -> BaseResponse:
    """Call the longest waiting 会計待ち number onto the cashier display and open its bill."""
    register = _require_register()
    if services.day_closed_today(register):
        flash(f"{register.name}の本日の日計は締め済みです。会計の呼出はできません。", "warning")
        return redirect(url_for("register.index"), 303)
    ticket = queue.call_next_cashier(register.name, current_user)
    if ticket is None:
        unnumbered = any(not bill.ticket_number for bill in services.open_bills())
        flash("会計待ちの番号札はありません。" + ("番号札のない請求は、一覧の「会計する」から選んでください。"
                                                  if unnumbered else ""), "info")
        return redirect(url_for("register.index"), 303)
    bill = services.open_bill_for_ticket(ticket.label)
    flash(f"{ticket.label}番の方を{register.name}へお呼びしました。", "success")
    return redirect(url_for("register.index", bill=bill.id if bill else None), 303)


@bp.route("/terminal", methods=["POST"])
@roles(*CASHIERS)
def select_register() -> BaseResponse:
    form = _register_form(None)
    if form.validate_on_submit():
        session[SESSION_KEY] = form.terminal_id.data
        flash("この画面で使うレジを切り替えました。", "success")
    else:
        flash("レジを選び直してください。", "error")
    return redirect(url_for("register.index"), 303)


@bp.route("/bills/<int:bill_id>/cancel", methods=["POST"])
@roles("supervisor")
def cancel_bill(bill_id: int) -> BaseResponse | tuple[str, int]:
    """請求取消: the visitor left without paying (a supervisor's decision, with the reason)."""
    bill = db.get_or_404(Bill, bill_id)
    form = CancelBillForm()
    if form.validate_on_submit():
        try:
            services.cancel_bill(bill, form.cancel_reason.data, current_user)
        except services.RegisterError as exc:
            show_refusal(form, exc, fallback="cancel_reason")
        else:
            flash(f"{bill.ticket_number or bill.visitor_label}の請求を取り消しました（未収のまま終了）。", "success")
            return redirect(url_for("register.index"), 303)
    return _cashier_page(bill if bill.is_open else None, status=422, cancel_form=form)


@bp.route("/bills/<int:bill_id>/pay", methods=["POST"])
@roles(*CASHIERS)
def pay(bill_id: int) -> BaseResponse | tuple[str, int]:
    bill = db.get_or_404(Bill, bill_id)
    terminal = _require_register()
    form = PaymentForm()
    if not form.validate_on_submit():
        return _cashier_page(bill, form, 422)
    try:
        result = services.take_payment(bill.id, terminal, input_from(form, services.PaymentInput), current_user)
    except services.RegisterError as exc:
        show_refusal(form, exc)
        return _cashier_page(bill, form, 422)
    if result.created:
        _print(lambda: receipts.print_receipt(result.payment, terminal, current_user))
    else:
        flash("この会計は既に収納済みです（二重の送信は受け付けていません）。", "warning")
    return redirect(url_for("register.payment", payment_id=result.payment.id), 303)


def _print(enqueue: Any) -> None:
    """Queue a print; a register without a printer still takes money and says so."""
    try:
        enqueue()
    except receipts.PrintError as exc:
        flash(f"レシートを印刷できません：{exc.message}", "error")


@bp.route("/payments/<int:payment_id>")
@roles(*CASHIERS)
def payment(payment_id: int) -> str:
    payment = reads.payment(payment_id, by=current_user)
    if payment is None:
        abort(404)
    return render_template("register/payment.html", payment=payment, void_form=VoidRequestForm(),
                           same_ticket=services.other_open_bills(payment.bill),
                           reversal=services.void_of(payment), job=receipts.print_job(payment),
                           pending=[r for r in services.pending_void_requests() if r.payment_id == payment.id])


@bp.route("/payments")
@roles(*CASHIERS)
def payments() -> str:
    query = fold_code(request.args.get("q", ""))  # ２０２６－１２ typed in full width
    found = reads.find_receipt(query, by=current_user) if query else None
    terminal = _register()
    day = services.earliest_open_day(terminal) if terminal else None
    return render_template("register/payments.html", query=query, found=found, day=day, terminal=terminal,
                           rows=reads.day_payments(day, by=current_user) if day else [])


@bp.route("/payments/<int:payment_id>/reprint", methods=["POST"])
@roles(*CASHIERS)
def reprint(payment_id: int) -> BaseResponse:
    payment = db.get_or_404(Payment, payment_id)
    if payment.is_void:
        abort(404)
    terminal = _require_register()
    _print(lambda: receipts.print_receipt(payment, terminal, current_user, reissue=True))
    flash(f"領収書 {payment.receipt_no} を再発行として印刷します。", "success")
    return redirect(url_for("register.payment", payment_id=payment.id), 303)


@bp.route("/payments/<int:payment_id>/void", methods=["POST"])
@roles(*CASHIERS)
def request_void(payment_id: int) -> BaseResponse | tuple[str, int]:
    payment = db.get_or_404(Payment, payment_id)
    terminal = _require_register()
    form = VoidRequestForm()
    if form.validate_on_submit():
        try:
            services.request_void(payment, terminal, current_user, form.reason.data, bool(form.reopen_bill.data))
        except services.RegisterError as exc:
            show_refusal(form, exc, fallback="reason")
        else:
            flash("取消を依頼しました。統括責任者（収納した本人以外）の承認を待っています。", "success")
            return redirect(url_for("register.payment", payment_id=payment.id), 303)
    return render_template("register/payment.html", payment=payment, void_form=form,
                           same_ticket=services.other_open_bills(payment.bill),
                           reversal=services.void_of(payment), job=receipts.print_job(payment), pending=[]), 422


@bp.route("/voids")
@roles(*CASHIERS)
def voids() -> str:
    return render_template("register/voids.html", requests=services.pending_void_requests(),
                           may_decide=services.can_decide_voids(current_user))


def _decide(request_id: int, approve: bool) -> BaseResponse:
    void_request = db.get_or_404(VoidRequest, request_id)
    try:
        if approve:
            reversal = services.approve_void(void_request, current_user)
        else:
            services.reject_void(void_request, current_user)
    except services.RegisterError as exc:
        discard()  # the reversal was already flushed when a hook refused
        flash(exc.message, "error")
        return redirect(url_for("register.voids"), 303)
    if approve:
        _print(lambda: receipts.print_void(reversal, void_request.terminal, current_user))
        flash(f"領収番号 {void_request.payment.receipt_no} の取消を承認しました。"
              f"{reversal.method.label}で{-reversal.total:,}円を返金してください。", "success")
    else:
        flash("取消依頼を却下しました。", "success")
    return redirect(url_for("register.voids"), 303)


@bp.route("/voids/<int:request_id>/approve", methods=["POST"])
@roles("supervisor")
def approve_void(request_id: int) -> BaseResponse:
    return _decide(request_id, approve=True)


@bp.route("/voids/<int:request_id>/reject", methods=["POST"])
@roles("supervisor")
def reject_void(request_id: int) -> BaseResponse:
    return _decide(request_id, approve=False)


def _close_page(form: CloseForm | None = None, float_form: FloatForm | None = None,
                status: int = 200) -> tuple[str, int]:
    terminal = _register()
    day = services.earliest_open_day(terminal) if terminal else None
    totals = services.day_totals(day) if day else None
    if form is None:
        form = CloseForm(next_float=day.opening_float if day else 0)
    closed_today = services.find_day(terminal, today()) if terminal and day is None else None
    return render_template("register/close.html", terminal=terminal, day=day, totals=totals, form=form,
                           closed_today=closed_today if closed_today and closed_today.closed else None,
                           float_form=float_form or FloatForm(amount=day.opening_float if day else 0),
                           denominations=DENOMINATIONS, register_form=_register_form(terminal)), status


def _confirm_close_page(terminal: Terminal, day: Any, form: CloseForm,
                        preview: services.ClosePreview) -> tuple[str, int]:
    """The confirmation step of the close: what is still open, and the count, before it is final."""
    form.confirmed.data = "1"
    return render_template("register/close_confirm.html", terminal=terminal, day=day, form=form,
                           preview=preview, totals=services.day_totals(day)), 200


@bp.route("/close", methods=["GET", "POST"])
@roles(*CASHIERS)
def close() -> BaseResponse | tuple[str, int]:
    if request.method == "GET":
        return _close_page()
    terminal = _require_register()
    day = services.earliest_open_day(terminal)
    form = CloseForm()
    if day is None:
        flash("締める営業日がありません。", "warning")
        return redirect(url_for("register.close"), 303)
    if form.validate_on_submit():
        count = input_from(form, services.DrawerCount, counts=form.counts())
        try:
            if form.confirmed.data != "1":
                return _confirm_close_page(terminal, day, form, services.preview_close(day, count))
            done = services.close_day(day, count, current_user)
        except services.RegisterError as exc:
            show_refusal(form, exc)
        else:
            difference = f"{done.difference:+,}円" if done.difference else "なし"
            flash(f"{day.business_date:%Y-%m-%d}の日計を締めました（過不足 {difference}）。", "success")
            return redirect(url_for("register.closed", close_id=done.id), 303)
    return _close_page(form, status=422)


@bp.route("/float", methods=["POST"])
@roles(*CASHIERS)
def set_float() -> BaseResponse | tuple[str, int]:
    terminal = _require_register()
    form = FloatForm()
    if form.validate_on_submit():
        try:
            day = services.earliest_open_day(terminal) or services.day_for_business(terminal)
            services.set_opening_float(day, form.amount.data, by=current_user)
        except services.RegisterError as exc:
            show_refusal(form, exc, fallback="amount")
        else:
            flash(f"釣銭準備金を{form.amount.data:,}円にしました。", "success")
            return redirect(url_for("register.close"), 303)
    return _close_page(float_form=form, status=422)


@bp.route("/closes")
@roles(*CASHIERS)
def closes() -> str:
    closes = services.list_closes()
    return render_template("register/closes.html", closes=closes, undone=reopening.undone_ids(closes))


def _closed_page(done: DailyClose, form: ReopenForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("register/closed.html", close=done, totals=services.day_totals(done.day),
                           history=reopening.day_history(done.day), superseded=reopening.superseded(done),
                           may_reopen=reopening.may_reopen(done, current_user),
                           reopen_form=form or ReopenForm()), status


@bp.route("/closes/<int:close_id>")
@roles(*CASHIERS)
def closed(close_id: int) -> tuple[str, int]:
    return _closed_page(db.get_or_404(DailyClose, close_id))


@bp.route("/closes/<int:close_id>/reopen", methods=["POST"])
@roles("supervisor")
def reopen(close_id: int) -> BaseResponse | tuple[str, int]:
    """日計の再開: a supervisor opens a closed day again, with the reason (issue 15 §2)."""
    done = db.get_or_404(DailyClose, close_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopening.reopen_day(done.day, form.reason.data, current_user)
        except services.RegisterError as exc:
            show_refusal(form, exc)
        else:
            flash(f"{done.day.terminal.name}の{done.day.business_date:%Y-%m-%d}の日計を再開しました。"
                  "収納と会計の呼出ができます。締め直すには日計を行ってください。", "success")
            return redirect(url_for("register.closed", close_id=done.id), 303)
    return _closed_page(done, form, 422)


@bp.route("/closes/<int:close_id>.pdf")
@roles(*CASHIERS)
def closed_pdf(close_id: int) -> Response:
    done = db.get_or_404(DailyClose, close_id)
    name = f"nikkei-{done.day.business_date:%Y%m%d}-{done.day.terminal.code}.pdf"
    return Response(close_pdf(done), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


def _fees_page(form: FeeForm, status: int = 200) -> tuple[str, int]:
    return render_template("register/fees.html", form=form, current=fees.schedule_on(today()),
                           may_edit=fees.can_edit_schedule(current_user),
                           versions=fees.all_versions(), today=today()), status


@bp.route("/fees", endpoint="fees")
@roles(*ALL_STAFF)
def fees_index() -> tuple[str, int]:
    return _fees_page(FeeForm())


@bp.route("/fees", methods=["POST"])
@roles("admin")
def save_fee() -> BaseResponse | tuple[str, int]:
    form = FeeForm()
    if form.validate_on_submit():
        try:
            fee = fees.save_fee(input_from(form, fees.FeeInput), by=current_user)
        except fees.FeeError as exc:
            show_refusal(form, exc)
        else:
            flash(f"{fee.label}（{fee.amount:,}円、{fee.effective_from:%Y-%m-%d}から）を登録しました。", "success")
            return redirect(url_for("register.fees"), 303)
    return _fees_page(form, 422)
