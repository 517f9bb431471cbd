"""The donation page's 入金・状態 section (issue 16 §1): record or correct the payment, and
change the status (入金待ち, キャンセル, 返金, a supervisor's 取消). The rules are in
app/furusato/payments.py and status.py. Each form posts to its own URL; an htmx post gets the
section back (refused: with the errors and the typed input, 422), a plain post a 303 to the
page, or the page itself with the errors. Registered on the furusato blueprint
(app/furusato/views.py imports this module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.furusato import payments, services, status
from app.furusato.forms import CancelForm, PaymentForm, RefundForm, ReverseForm, WaitForm
from app.furusato.models import Donation
from app.furusato.views import STAFF, _by, bp, donation_page, money_context
from app.web.forms import show_refusal
from app.web.htmx import wants_fragment

SECTION = "money"  # the id of the section the forms swap (templates/furusato/_money.html)


def _found(donation_id: int, purpose: str) -> Donation:
    found = services.read_donation(donation_id, by=_by(), purpose=purpose)
    if found is None:
        abort(404)
    return found


def _answer(found: Donation, form: FlaskForm, act: Callable[[], Any], done: str | list[str], *,
            payment_form: PaymentForm | None = None, name: str = "") -> BaseResponse | tuple[str, int] | str:
    """Run the step when the form is valid; answer with the section (htmx) or the page."""
    if form.validate_on_submit():
        try:
            act()
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            message = done if isinstance(done, str) else " ".join(done)  # read after the step: it may add notes
            if wants_fragment(SECTION):
                return render_template("furusato/_money.html", oob=True, **money_context(found, message=message))
            flash(message, "success")
            return redirect(url_for("furusato.donation", donation_id=found.id), 303)
    forms = {name: form} if name else {}
    if wants_fragment(SECTION):
        return render_template("furusato/_money.html", oob=True, **money_context(found, payment_form, **forms)), 422
    return donation_page(found, payment_form, **forms), 422


@bp.route("/donations/<int:donation_id>/payment", methods=["POST"])
@roles(*STAFF)
def payment(donation_id: int) -> BaseResponse | tuple[str, int] | str:
    """Record the donation's payment, or correct the current one (a new row; history kept)."""
    found = _found(donation_id, "入金の記録")
    form = PaymentForm()
    current = payments.current_payment(found)
    done = ["入金を訂正しました。" if current else "入金を記録しました。"]

    def act() -> None:
        values = (form.received_on.data, form.amount.data, form.method.data or "")
        if current is None:
            payments.record_payment(found, *values, _by())
        else:
            before = current.received_on
            done.extend(payments.correction_notes(before, payments.correct_payment(
                found, *values, form.reason.data or "", _by())))

    return _answer(found, form, act, done, payment_form=form)


@bp.route("/donations/<int:donation_id>/status/wait", methods=["POST"])
@roles(*STAFF)
def status_wait(donation_id: int) -> BaseResponse | tuple[str, int] | str:
    found = _found(donation_id, "状態の変更")
    form = WaitForm(prefix="wait")
    return _answer(found, form, lambda: status.mark_waiting(found, form.reason.data or "", _by()),
                   "入金待ちにしました。", name="wait")


@bp.route("/donations/<int:donation_id>/status/cancel", methods=["POST"])
@roles(*STAFF)
def status_cancel(donation_id: int) -> BaseResponse | tuple[str, int] | str:
    found = _found(donation_id, "キャンセル")
    form = CancelForm(prefix="cancel")
    return _answer(found, form, lambda: status.cancel(found, form.reason.data or "", _by()),
                   "キャンセルを記録しました。", name="cancel")


@bp.route("/donations/<int:donation_id>/status/refund", methods=["POST"])
@roles(*STAFF)
def status_refund(donation_id: int) -> BaseResponse | tuple[str, int] | str:
    found = _found(donation_id, "返金")
    form = RefundForm(prefix="refund")
    return _answer(found, form, lambda: status.refund(found, form.refund_amount.data, form.refunded_on.data,
                                                      form.reason.data or "", _by()),
                   "返金を記録しました。", name="refund")


@bp.route("/donations/<int:donation_id>/status/reverse", methods=["POST"])
@roles("supervisor")
def status_reverse(donation_id: int) -> BaseResponse | tuple[str, int] | str:
    """統括責任者による取消 of the last status change."""
    found = _found(donation_id, "状態の変更の取消")
    form = ReverseForm(prefix="reverse")
    return _answer(found, form, lambda: status.reverse(found, form.reason.data or "", _by()),
                   "直前の状態の変更を取り消しました。", name="reverse")
