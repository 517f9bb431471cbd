"""精算・請求の画面 (004 §7(7), §13; issue 19 §1-2). Registered on the furusato blueprint."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import today
from app.furusato.gifts.models import Supplier
from app.furusato.models import PaymentMethod
from app.furusato.reports.services import parse_month
from app.furusato.settlement import costs, documents, rates, ratio, services
from app.furusato.settlement.forms import AdForm, CarrierForm, DayForm, NoteForm, RateForm
from app.furusato.settlement.periods import bill_due, month_end
from app.furusato.settlement.rates import SettlementError
from app.furusato.views import ANALYSTS, STAFF, _by, bp
from app.reports.due import previous_month
from app.web import transaction
from app.web.forms import input_from, submitted

DONE = {"issue": "請求書を発行しました。", "accept": "請求書を受理しました。", "paid": "入金を記録しました。"}
ACTIONS = {"confirm": (services.confirm, "確認済（締め）にしました。"),
           "dispute": (services.dispute, "相違の申出を記録しました。"),
           "resolve": (services.resolve, "相違の解消を記録しました。"),
           "reopen": (services.reopen, "締めを解除しました。")}


def _month(text: str | None) -> date:
    if not text:
        return previous_month(today().replace(day=1))
    found = parse_month(text)
    if found is None:
        abort(404)
    return found


def _month_arg() -> str:
    return request.args.get("month", "")


def _supplier(supplier_id: int) -> Supplier:
    found = services.supplier(supplier_id)
    if found is None:
        abort(404)
    return found


def _month_page(month: date, carrier_form: CarrierForm | None = None, ad_form: AdForm | None = None,
                status: int = 200) -> tuple[str, int]:
    by = _by()
    return render_template(
        "furusato/settlement/month.html", month=month, key=f"{month:%Y-%m}", statements=services.statements(month),
        reconciliation=services.reconciliation(month), carrier_invoices=services.carrier_invoices(month),
        ads=services.ads(month), figures=services.invoice_figures(month), invoice=services.invoice_of(month),
        bill_due=bill_due(month), may_record=by.role in ("operator", "supervisor"), is_city=by.role == "city_staff",
        carrier_form=carrier_form or CarrierForm(formdata=None), ad_form=ad_form or AdForm(formdata=None),
        day_form=DayForm(formdata=None), today=today(), over=month_end(month) <= today(),
        previous=f"{previous_month(month):%Y-%m}", following=f"{month_end(month):%Y-%m}"), status


@bp.route("/settlement", endpoint="settlement")
@roles(*ANALYSTS)
def settlement_page() -> tuple[str, int]:
    return _month_page(_month(_month_arg()))


def _statement_page(month: date, supplier: Supplier, form: NoteForm, status: int = 200) -> tuple[str, int]:
    by = _by()
    return render_template("furusato/settlement/statement.html", found=services.statement(supplier, month), form=form,
                           key=f"{month:%Y-%m}", may_record=by.role in ("operator", "supervisor"),
                           may_reopen=services.can_reopen(by)), status


@bp.route("/settlement/suppliers/<int:supplier_id>", endpoint="supplier_statement")
@roles(*ANALYSTS)
def supplier_statement(supplier_id: int) -> tuple[str, int]:
    return _statement_page(_month(_month_arg()), _supplier(supplier_id), NoteForm(formdata=None))


@bp.route("/settlement/suppliers/<int:supplier_id>/<action>", methods=["POST"])
@roles(*STAFF)
def supplier_month_step(supplier_id: int, action: str) -> BaseResponse | tuple[str, int]:
    if action not in ACTIONS:
        abort(404)
    first, supplier, form = _month(_month_arg()), _supplier(supplier_id), NoteForm()
    step, done = ACTIONS[action]
    if submitted(form, lambda: step(supplier, first, form.note.data or "", by=_by()), fallback="note"):
        flash(f"{supplier.name}の{first:%Y年%-m月}分を{done}", "success")
        return redirect(url_for("furusato.supplier_statement", month=f"{first:%Y-%m}", supplier_id=supplier_id),
                            303)
    return _statement_page(first, supplier, form, 422)


@bp.route("/settlement/suppliers/<int:supplier_id>/statement.pdf")
@roles(*ANALYSTS)
def supplier_statement_pdf(supplier_id: int) -> Response:
    found = services.statement(_supplier(supplier_id), _month(_month_arg()))
    name = f"statement-{found.month:%Y-%m}-{found.supplier.code}.pdf"
    return Response(documents.statement_pdf(found), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.route("/settlement/carriers", methods=["POST"])
@roles(*STAFF)
def add_carrier_invoice() -> BaseResponse | tuple[str, int]:
    first, form = _month(_month_arg()), CarrierForm()
    if submitted(form, lambda: services.add_carrier_invoice(first, input_from(form, services.CarrierInput), by=_by())):
        flash("配送業者の請求を登録しました。", "success")
        return redirect(url_for("furusato.settlement", month=f"{first:%Y-%m}"), 303)
    return _month_page(first, carrier_form=form, status=422)


@bp.route("/settlement/ads", methods=["POST"])
@roles(*STAFF)
def add_ad() -> BaseResponse | tuple[str, int]:
    first, form = _month(_month_arg()), AdForm()
    if submitted(form, lambda: services.add_ad(input_from(form, services.AdInput), by=_by())):
        flash("広告・PR費を登録しました。", "success")
        return redirect(url_for("furusato.settlement", month=f"{first:%Y-%m}"), 303)
    return _month_page(first, ad_form=form, status=422)


def _invoice_step(step: str) -> BaseResponse:
    first = _month(_month_arg())
    form = DayForm()
    invoice = services.invoice_of(first)
    try:
        if step == "issue":
            services.issue_invoice(first, by=_by())
        elif invoice is None or not form.validate_on_submit():
            raise SettlementError("日付を確認してください。", "day")
        elif step == "accept":
            services.accept_invoice(invoice, form.day.data, by=_by())
        else:
            services.record_payment(invoice, form.day.data, by=_by())
    except SettlementError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(DONE[step], "success")
    return redirect(url_for("furusato.settlement", month=f"{first:%Y-%m}"), 303)


@bp.route("/settlement/invoice", methods=["POST"])
@roles(*STAFF)
def issue_invoice() -> BaseResponse:
    return _invoice_step("issue")


@bp.route("/settlement/invoice/accept", methods=["POST"])
@roles("city_staff")
def accept_invoice() -> BaseResponse:
    return _invoice_step("accept")


@bp.route("/settlement/invoice/paid", methods=["POST"])
@roles(*STAFF)
def invoice_paid() -> BaseResponse:
    return _invoice_step("paid")


@bp.route("/settlement/invoice.pdf")
@roles(*ANALYSTS)
def invoice_pdf() -> Response:
    first = _month(_month_arg())
    invoice = services.invoice_of(first)
    if invoice is None:
        abort(404)
    data = documents.invoice_pdf(invoice, costs.statement_lines(first, month_end(first)),
                                 services.invoice_figures(first).onestop_count)
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="invoice-{first:%Y-%m}.pdf"'})


def _rates_page(form: RateForm, status: int = 200) -> tuple[str, int]:
    portals = rates.fee_portals()
    return render_template("furusato/settlement/rates.html", form=form, rates=rates.rates(), portals=portals,
                           portal_names={p.code: p.name for p in portals}, methods=list(PaymentMethod),
                           key_label=rates.key_label, shares=rates.SHARES,
                           may_record=_by().role in ("operator", "supervisor")), status


@bp.route("/settlement/rates", endpoint="settlement_rates")
@roles(*ANALYSTS)
def rates_page() -> tuple[str, int]:
    return _rates_page(RateForm(formdata=None))


@bp.route("/settlement/rates", methods=["POST"])
@roles("supervisor")
def add_rate() -> BaseResponse | tuple[str, int]:
    form = RateForm()
    if submitted(form, lambda: rates.set_rate(input_from(form, rates.RateInput), by=_by())):
        flash("料金を登録しました。", "success")
        return redirect(url_for("furusato.settlement_rates"), 303)
    return _rates_page(form, 422)


@bp.route("/settlement/ratio", endpoint="cost_ratio")
@roles(*ANALYSTS)
def cost_ratio_page() -> tuple[str, int]:
    year = request.args.get("year", type=int)
    return render_template("furusato/settlement/ratio.html", found=ratio.cost_ratio(today(), year),
                           limit=ratio.LIMIT, warn_at=ratio.WARN_AT), 200
