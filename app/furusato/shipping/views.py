"""出荷 (issue 18 §3): the shipment lines, the order runs per supplier with their sheets and the
carriers' files, the tracking import, the delivery e-mails, problems, the e-mail template and
the donations from before the start of operation (§7(6)ク).
Registered on the furusato blueprint (app/furusato/views.py imports this module)."""

from __future__ import annotations

import base64
import binascii

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth import audit
from app.auth.access import roles
from app.extensions import db
from app.furusato.gifts import services as gifts
from app.furusato.gifts.forms import (
    MailTemplateForm,
    PreOperationConfirmForm,
    PreOperationForm,
    ProblemForm,
    ShipToForm,
    TrackingForm,
)
from app.furusato.gifts.views import Listing
from app.furusato.services import FurusatoError
from app.furusato.shipping import carriers, delivery_mail, lines, pre_operation, problems, runs, tracking
from app.furusato.shipping.models import LineState, OrderRun, ShipmentLine
from app.furusato.views import ANALYSTS, STAFF, _by, _running, bp
from app.web import transaction
from app.web.forms import input_from, page_number, show_refusal, submitted


def _shipping_page(tracking_form: TrackingForm, status: int = 200) -> tuple[str, int]:
    page = page_number()
    state = request.args.get("state", "")
    state = state if LineState.has(state) else ""
    rows, count = lines.lines(state or None, page)
    audit.read_list("furusato_shipment_line", [line.id for line in rows], "出荷明細の一覧", by=_by())
    return render_template("furusato/shipping/index.html", result=Listing(rows, count, page), query={"state": state},
                           state=state, states=LineState, counts=lines.counts(), suppliers=gifts.suppliers(),
                           runs=runs.runs(20), form=FlaskForm(), tracking_form=tracking_form,
                           profiles=carriers.PROFILES.values(),
                           waiting_mails=delivery_mail.waiting_count(), bounced=delivery_mail.bounced(20),
                           **_running()), status


@bp.route("/shipping")
@roles(*STAFF)
def shipping() -> tuple[str, int]:
    return _shipping_page(TrackingForm(formdata=None))


@bp.route("/shipping/runs", methods=["POST"])
@roles(*STAFF)
def order_run() -> BaseResponse:
    """発注: the open lines of one supplier (or all) become its order; a refusal names why."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    code = request.form.get("supplier", "")
    chosen = gifts.suppliers() if code == "all" else [s for s in gifts.suppliers() if s.code == code]
    if not chosen:
        abort(404)
    outcomes = runs.run_suppliers(chosen, _by())
    for outcome in outcomes:
        if outcome.run is not None:
            flash(f"{outcome.supplier.name}へ{outcome.run.line_count}件を発注しました（出荷依頼 #{outcome.run.id}）。",
                  "success")
        elif outcome.refused:
            flash(outcome.refused, "error")
        else:
            flash(f"{outcome.supplier.name}に発注する明細はありません。", "info")
    return redirect(url_for("furusato.shipping"), 303)


def _run(run_id: int) -> OrderRun:
    return db.get_or_404(OrderRun, run_id)


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/shipping/runs/<int:run_id>/sheet.csv")
@roles(*STAFF)
def order_sheet_csv(run_id: int) -> Response:
    run = _run(run_id)
    return _download(runs.sheet_csv(run, _by()), "text/csv; charset=shift_jis", f"order-{run.id}.csv")


@bp.route("/shipping/runs/<int:run_id>/sheet.pdf")
@roles(*STAFF)
def order_sheet_pdf(run_id: int) -> Response:
    run = _run(run_id)
    return _download(runs.sheet_pdf(run, _by()), "application/pdf", f"order-{run.id}.pdf")


@bp.route("/shipping/runs/<int:run_id>/b2.csv")
@roles(*STAFF)
def b2_csv(run_id: int) -> BaseResponse:
    run = _run(run_id)
    run_lines = runs.lines_of(run)
    try:
        data = carriers.export_b2(run, run_lines, by=_by())
    except FurusatoError as exc:
        transaction.discard()
        for problem in exc.problems:
            flash(problem.message, "error")
        return redirect(url_for("furusato.shipping"), 303)
    return _download(data, "text/csv; charset=shift_jis", f"b2-{run.id}.csv")


@bp.route("/shipping/runs/<int:run_id>/carrier.csv")
@roles(*STAFF)
def carrier_csv(run_id: int) -> BaseResponse:
    """The run's file for the carrier chosen here (?carrier=), else the supplier's carrier."""
    run = _run(run_id)
    profile = carriers.run_profile(run, request.args.get("carrier"))
    if profile is None:
        abort(404)
    try:
        data = carriers.export_carrier(run, runs.lines_of(run), profile, by=_by())
    except FurusatoError as exc:
        transaction.discard()
        for problem in exc.problems:
            flash(problem.message, "error")
        return redirect(url_for("furusato.shipping"), 303)
    return _download(data, "text/csv; charset=shift_jis", f"{profile.code}-{run.id}.csv")


@bp.route("/shipping/tracking", methods=["POST"])
@roles(*STAFF)
def import_tracking() -> BaseResponse | tuple[str, int]:
    form = TrackingForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        try:
            profile = carriers.profile(form.carrier.data) or carriers.YAMATO_B2
            count = tracking.import_tracking(upload.read() if upload else b"", _by(), profile)
        except FurusatoError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc, fallback="file")
        else:
            flash(f"伝票番号を{count}件取り込み、発送済にしました。", "success")
            return redirect(url_for("furusato.shipping"), 303)
    return _shipping_page(form, 422)


@bp.route("/shipping/mails", methods=["POST"])
@roles(*STAFF)
def send_delivery_mails() -> BaseResponse:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        task = delivery_mail.queue(_by())
    except FurusatoError as exc:
        transaction.discard()
        flash(exc.message, "error")
        return redirect(url_for("furusato.shipping"), 303)
    return redirect(url_for("tasks.task_page", task_id=task.id), 303)


def _line_page(line: ShipmentLine, ship_to: ShipToForm, problem: ProblemForm, status: int = 200) -> tuple[str, int]:
    lines.shown(line, by=_by())
    return render_template("furusato/shipping/line.html", line=line, ship_to=ship_to, problem=problem,
                           problems=problems.problems_of(line), editable=line.state in (LineState.open,
                                                                                       LineState.blocked)), status


@bp.route("/shipping/lines/<int:line_id>")
@roles(*STAFF)
def shipment_line(line_id: int) -> tuple[str, int]:
    line = db.get_or_404(ShipmentLine, line_id)
    return _line_page(line, ShipToForm(formdata=None, obj=line), ProblemForm(formdata=None))


@bp.route("/shipping/lines/<int:line_id>", methods=["POST"])
@roles(*STAFF)
def change_ship_to(line_id: int) -> BaseResponse | tuple[str, int]:
    line = db.get_or_404(ShipmentLine, line_id)
    form = ShipToForm()
    if submitted(form, lambda: lines.change_ship_to(line, input_from(form, lines.ShipToInput), _by())):
        flash("お届け先を変更しました。", "success")
        return redirect(url_for("furusato.shipment_line", line_id=line.id), 303)
    return _line_page(line, form, ProblemForm(formdata=None), 422)


@bp.route("/shipping/lines/<int:line_id>/problems", methods=["POST"])
@roles(*STAFF)
def record_problem(line_id: int) -> BaseResponse | tuple[str, int]:
    line = db.get_or_404(ShipmentLine, line_id)
    form = ProblemForm()
    if done := submitted(form, lambda: problems.record_problem(line, input_from(form, problems.ProblemInput), _by())):
        item = done.value
        again = "再送の明細は次の発注に入ります。" if item.reshipment_id else ""
        flash(f"{item.kind.label}を記録しました。{again}", "success")
        return redirect(url_for("furusato.shipment_line", line_id=line.id), 303)
    return _line_page(line, ShipToForm(formdata=None, obj=line), form, 422)


@bp.route("/shipping/problems")
@roles(*ANALYSTS)
def shipping_problems() -> str:
    """配送の事故・苦情: the city sees every complaint (issue 18 §3; 004 §7(6)オ・カ)."""
    page = page_number()
    rows, count = problems.recent(page)
    audit.read_list("furusato_shipment_line", [p.line_id for p in rows], "配送の事故・苦情", by=_by())
    return render_template("furusato/shipping/problems.html", result=Listing(rows, count, page), query={})


@bp.route("/shipping/mail-template", methods=["GET", "POST"])
@roles(*STAFF)
def delivery_mail_template() -> BaseResponse | tuple[str, int]:
    current = delivery_mail.template()
    form = MailTemplateForm(obj=current)
    if submitted(form, lambda: delivery_mail.save_template(form.subject.data or "", form.body.data or "", _by())):
        flash("発送連絡メールのひな形を保存しました。", "success")
        return redirect(url_for("furusato.delivery_mail_template"), 303)
    return render_template("furusato/shipping/mail_template.html", form=form), 422 if form.errors else 200



def _pre_operation_page(form: PreOperationForm, found: pre_operation.Preview | None = None,
                        confirm: PreOperationConfirmForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/shipping/pre_operation.html", form=form, preview=found,
                           confirm=confirm or PreOperationConfirmForm(formdata=None)), status


@bp.route("/shipping/pre-operation")
@roles(*STAFF)
def pre_operation_page() -> tuple[str, int]:
    """運用開始前の寄附 (004 §7(6)ク): upload, preview, then take the file whole."""
    return _pre_operation_page(PreOperationForm(formdata=None))


@bp.route("/shipping/pre-operation/preview", methods=["POST"])
@roles(*STAFF)
def pre_operation_preview() -> tuple[str, int]:
    """Read the uploaded file and show every row and every problem; nothing is kept."""
    form = PreOperationForm()
    if not form.validate_on_submit():
        return _pre_operation_page(form, status=422)
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    try:
        found = pre_operation.preview(data)
    except FurusatoError as exc:
        show_refusal(form, exc, fallback="file")
        return _pre_operation_page(form, status=422)
    finally:
        transaction.discard()  # a preview keeps nothing
    confirm = PreOperationConfirmForm(formdata=None, content=base64.b64encode(data).decode("ascii"))
    return _pre_operation_page(form, found, confirm, 422 if found.problems else 200)


@bp.route("/shipping/pre-operation", methods=["POST"])
@roles(*STAFF)
def import_pre_operation() -> BaseResponse | tuple[str, int]:
    """Take the previewed file: all its lines, or none when any row has a problem."""
    confirm = PreOperationConfirmForm()
    if not confirm.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(confirm.content.data or "", validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    form = PreOperationForm(formdata=None)
    try:
        made = pre_operation.import_open_lines(data, _by())
    except FurusatoError as exc:
        transaction.refused_shown_again()
        show_refusal(form, exc, fallback="file")
        return _pre_operation_page(form, status=422)
    blocked = sum(line.state == LineState.blocked for line in made)
    flash(f"運用開始前の寄附から出荷明細を{len(made)}件作りました（うち送付不可{blocked}件）。", "success")
    return redirect(url_for("furusato.shipping"), 303)
