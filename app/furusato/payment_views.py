"""入金の記録・訂正の画面 (issue 16 §1): the form on a donation's page; the rules are in
app/furusato/payments.py. Registered on the furusato blueprint (app/furusato/views.py imports
this module)."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.furusato import payments, services
from app.furusato.forms import PaymentForm
from app.furusato.views import STAFF, _by, bp, donation_page
from app.web.forms import show_refusal


@bp.route("/donations/<int:donation_id>/payment", methods=["POST"])
@roles(*STAFF)
def payment(donation_id: int) -> BaseResponse | tuple[str, int]:
    """Record the donation's payment, or correct the current one (a new row; history kept)."""
    found = services.read_donation(donation_id, by=_by(), purpose="入金の記録")
    if found is None:
        abort(404)
    form = PaymentForm()
    if form.validate_on_submit():
        current = payments.current_payment(found)
        values = (form.received_on.data, form.amount.data, form.method.data or "")
        try:
            if current is None:
                payments.record_payment(found, *values, _by())
            else:
                payments.correct_payment(found, *values, form.reason.data or "", _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash("入金を訂正しました。" if current else "入金を記録しました。", "success")
            return redirect(url_for("furusato.donation", donation_id=found.id), 303)
    return donation_page(found, form), 422
