"""郵便物の戻り (issue 16 §4): the page where a returned envelope is scanned, the list of open
returns with their age, and the follow-up of one return. The rules are in
app/furusato/returns.py. Registered on the furusato blueprint (app/furusato/views.py imports
this module)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import today
from app.furusato import returns
from app.furusato.forms import ReturnForm, ReturnOutcomeForm
from app.furusato.returns_models import ReturnedMail
from app.furusato.views import STAFF, _by, bp
from app.web.forms import input_from, page_number, submitted


def _returns_page(form: ReturnForm, status: int = 200) -> tuple[str, int]:
    day = today()
    return render_template("furusato/returns.html", form=form, today=day, query={},
                           result=returns.open_returns(day, page_number(), by=_by())), status


@bp.route("/returns")
@roles(*STAFF)
def returns_page() -> tuple[str, int]:
    return _returns_page(ReturnForm(formdata=None, fiscal_year=returns.default_year()))


@bp.route("/returns", methods=["POST"])
@roles(*STAFF)
def record_return() -> BaseResponse | tuple[str, int]:
    """Record a returned envelope; the next scan starts on an empty form."""
    form = ReturnForm()
    if done := submitted(form, lambda: returns.record_return(input_from(form, returns.ReturnInput), _by())):
        returned = done.value
        flash(f"{returns.certificate_label(returned.certificate)}（{returned.donor.name}様）の戻りを"
              f"{returned.reason_text}として記録しました。", "success")
        return redirect(url_for("furusato.returns_page"), 303)
    return _returns_page(form, 422)


def _return_page(returned: ReturnedMail, form: ReturnOutcomeForm, status: int = 200) -> tuple[str, int]:
    items = [(item, returns.donation_of(item.certificate)) for item in returned.items]
    return render_template("furusato/returned_mail.html", returned=returned, items=items, form=form,
                           age=(today() - returned.returned_on).days), status


def _read(return_id: int) -> ReturnedMail:
    returned = returns.read_return(return_id, by=_by())
    if returned is None:
        abort(404)
    return returned


@bp.route("/returns/<int:return_id>")
@roles(*STAFF)
def returned_mail(return_id: int) -> tuple[str, int]:
    returned = _read(return_id)
    first = returns.donation_of(returned.items[0].certificate) if returned.items else None
    return _return_page(returned, ReturnOutcomeForm(formdata=None, postal_code=first.postal_code if first else "",
                                                    address=first.address if first else ""))


@bp.route("/returns/<int:return_id>", methods=["POST"])
@roles(*STAFF)
def close_return(return_id: int) -> BaseResponse | tuple[str, int]:
    """The outcome of the call: a corrected address and the 再発行, or closed without a resend."""
    returned = _read(return_id)
    form = ReturnOutcomeForm()
    if submitted(form, lambda: returns.close_return(returned, input_from(form, returns.OutcomeInput), _by()),
                 fallback="outcome"):
        resent = sum(1 for item in returned.items if item.reissue_id)
        flash(f"戻り #{returned.id} を「{returned.outcome.label}」として対応済みにしました。"
              + (f"再発行{resent}件は次の発送で印刷されます。" if resent else ""), "success")
        return redirect(url_for("furusato.returns_page"), 303)
    return _return_page(returned, form, 422)
