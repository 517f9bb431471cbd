"""The pages of the counter's ledgers: temporary plates and permits, and postal requests. The
rules are in plates.py and postal.py; this blueprint is registered with the counter's
(app/counter/views.py BLUEPRINTS)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth import audit
from app.auth.access import roles, serves
from app.auth.models import Programme
from app.core.dates import today
from app.counter.ledgers import plate_pdf, plates, postal
from app.counter.ledgers.forms import MailingForm, PermitForm, PermitReturnForm, PlateForm, PostalRequestForm
from app.counter.ledgers.models import TemporaryPermit
from app.counter.ledgers.plates import LedgerError
from app.web import transaction
from app.web.forms import choices, input_from, page_number, submitted
from app.web.nav_item import NavItem
from app.web.paging import paged

bp = serves(Blueprint("ledgers", __name__, url_prefix="/counter/ledgers"), Programme.counter)
NAV = (
    NavItem("臨時運行許可", "ledgers.plates_page", "窓口業務"),
    NavItem("郵便請求", "ledgers.postal_page", "窓口業務"),
)
COUNTER = ("operator", "supervisor")
READERS = ("operator", "supervisor", "city_staff")


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


# --- temporary plates -------------------------------------------------------------------------

def _permit_form(fresh: bool = False) -> PermitForm:
    day = today()
    form = PermitForm(formdata=None, period_from=day, period_to=day) if fresh else PermitForm()
    form.plate_id.choices = choices([("", "選んでください"), *((p.id, p.number) for p in plates.plates_in())])
    return form


def _plates_page(permit_form: PermitForm, plate_form: PlateForm, status: int = 200) -> tuple[str, int]:
    day = today()
    return render_template("counter/ledgers/plates.html", permit_form=permit_form, plate_form=plate_form,
                           inventory=plates.inventory(), ledger=paged(plates.ledger_query(), page_number()),
                           overdue_count=len(plates.overdue(day)), today=day, query={}), status


@bp.route("/plates")
@roles(*READERS)
def plates_page() -> tuple[str, int]:
    return _plates_page(_permit_form(fresh=True), PlateForm(formdata=None))


@bp.route("/plates", methods=["POST"])
@roles(*COUNTER)
def add_plate() -> BaseResponse | tuple[str, int]:
    form = PlateForm()
    if done := submitted(form, lambda: plates.add_plate(form.number.data or "", current_user)):
        plate = done.value
        flash(f"番号標「{plate.number}」を登録しました。", "success")
        return redirect(url_for("ledgers.plates_page"), 303)
    return _plates_page(_permit_form(fresh=True), form, 422)


@bp.route("/plates/permits", methods=["POST"])
@roles(*COUNTER)
def issue_permit() -> BaseResponse | tuple[str, int]:
    form = _permit_form()
    if done := submitted(form, lambda: plates.issue_permit(input_from(form, plates.PermitInput), today=today(),
                                                           by=current_user)):
        permit = done.value
        flash(f"臨時運行を許可しました（許可番号{permit.permit_number}、番号標{permit.plate.number}）。"
              "手数料は会計へ送りました。", "success")
        return redirect(url_for("ledgers.permit", permit_id=permit.id), 303)
    return _plates_page(form, PlateForm(formdata=None), 422)


def _permit_or_404(permit_id: int) -> TemporaryPermit:
    permit = plates.read_permit(permit_id, by=current_user)
    if permit is None:
        abort(404)
    return permit


def _permit_page(permit: TemporaryPermit, form: PermitReturnForm, status: int = 200) -> tuple[str, int]:
    day = today()
    return render_template("counter/ledgers/permit.html", permit=permit, form=form, bill=plates.permit_bill(permit),
                           overdue=plates.is_overdue(permit, day), days_after=plates.days_after_period(permit, day),
                           today=day), status


@bp.route("/plates/permits/<int:permit_id>")
@roles(*READERS)
def permit(permit_id: int) -> tuple[str, int]:
    return _permit_page(_permit_or_404(permit_id), PermitReturnForm(formdata=None, returned_on=today()))


@bp.route("/plates/permits/<int:permit_id>/return", methods=["POST"])
@roles(*COUNTER)
def return_permit(permit_id: int) -> BaseResponse | tuple[str, int]:
    item = _permit_or_404(permit_id)
    form = PermitReturnForm()
    if submitted(form, lambda: plates.return_permit(item, input_from(form, plates.ReturnInput), today=today(),
                                                    by=current_user)):
        flash(f"返納を受けました（番号標{item.plate.number}は貸出可能になりました）。", "success")
        return redirect(url_for("ledgers.permit", permit_id=item.id), 303)
    return _permit_page(item, form, 422)


@bp.route("/plates/permits/<int:permit_id>/permit.pdf")
@roles(*READERS)
def permit_pdf(permit_id: int) -> Response:
    item = _permit_or_404(permit_id)
    try:
        return _pdf(plate_pdf.permit_pdf(item), f"temporary-permit-{item.permit_number}.pdf")
    except LedgerError as exc:
        abort(409, exc.message)


@bp.route("/plates/overdue")
@roles(*READERS)
def overdue() -> tuple[str, int]:
    day = today()
    return render_template("counter/ledgers/overdue.html", result=paged(plates.overdue_query(day), page_number()),
                           today=day, days_after=plates.days_after_period, query={}), 200


@bp.route("/plates/permits/<int:permit_id>/reminder.pdf")
@roles(*COUNTER)
def reminder_pdf(permit_id: int) -> Response:
    item = _permit_or_404(permit_id)
    if not plates.is_overdue(item, today()):
        abort(404)
    try:
        return _pdf(plate_pdf.reminder_pdf(item, today()), f"temporary-permit-reminder-{item.permit_number}.pdf")
    except LedgerError as exc:
        abort(409, exc.message)


@bp.route("/plates/permits/<int:permit_id>/remind", methods=["POST"])
@roles(*COUNTER)
def record_reminder(permit_id: int) -> BaseResponse:
    item = _permit_or_404(permit_id)
    try:
        plates.record_reminder(item, today=today(), by=current_user)
    except LedgerError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"許可番号{item.permit_number}の督促状の送付を記録しました。", "success")
    return redirect(url_for("ledgers.overdue"), 303)


# --- postal requests --------------------------------------------------------------------------

def _postal_form(fresh: bool = False) -> PostalRequestForm:
    form = PostalRequestForm(formdata=None, received_on=today(), copies=1) if fresh else PostalRequestForm()
    form.procedure_code.choices = choices([(p.code, p.name) for p in postal.postal_procedures()])
    return form


def _postal_page(form: PostalRequestForm, status: int = 200) -> tuple[str, int]:
    result = paged(postal.open_query(), page_number())
    audit.read_list("postal_request", (r.id for r in result.rows), "郵便請求の一覧", by=current_user)
    return render_template("counter/ledgers/postal.html", form=form, result=result,
                           case_of=postal.case_of, query={}), status


@bp.route("/postal")
@roles(*READERS)
def postal_page() -> tuple[str, int]:
    return _postal_page(_postal_form(fresh=True))


@bp.route("/postal", methods=["POST"])
@roles(*COUNTER)
def receive_postal() -> BaseResponse | tuple[str, int]:
    form = _postal_form()
    if done := submitted(form, lambda: postal.receive(input_from(form, postal.PostalInput), today=today(),
                                                      by=current_user)):
        request = done.value
        flash(f"郵便請求を受け付けました（{request.requester_name}様）。案件で確認・入力・審査依頼をしてください。",
              "success")
        return redirect(url_for("ledgers.postal_request", postal_id=request.id), 303)
    transaction.refused_shown_again()  # nothing of the refused request stays; the list's read does
    return _postal_page(form, 422)


def _request_or_404(postal_id: int) -> postal.PostalRequest:
    request = postal.read(postal_id, by=current_user)
    if request is None:
        abort(404)
    return request


def _request_page(request: postal.PostalRequest, form: MailingForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/ledgers/postal_request.html", request=request, form=form,
                           case=postal.case_of(request), payment=postal.payment_of(request)), status


@bp.route("/postal/<int:postal_id>")
@roles(*READERS)
def postal_request(postal_id: int) -> tuple[str, int]:
    item = _request_or_404(postal_id)
    payment = postal.payment_of(item)
    change = payment.change if payment is not None else 0
    return _request_page(item, MailingForm(formdata=None, mailed_on=today(),
                                           change_form="money_order" if change else "none"))


@bp.route("/postal/<int:postal_id>/mailed", methods=["POST"])
@roles(*COUNTER)
def record_mailing(postal_id: int) -> BaseResponse | tuple[str, int]:
    item = _request_or_404(postal_id)
    form = MailingForm()
    if submitted(form, lambda: postal.record_mailing(item, input_from(form, postal.MailingInput), today=today(),
                                                     by=current_user)):
        flash(f"発送を記録しました（{item.mailed_on:%Y-%m-%d}）。", "success")
        return redirect(url_for("ledgers.postal_request", postal_id=item.id), 303)
    return _request_page(item, form, 422)
