"""Pages of the contract's end: the handover package and the erasure of personal data with the
city's approval (000 §13(2), 004 §16(4), 004 特記事項 §12, 000 別紙 §11)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.staff import disposal, documents, erasure, handover, register
from app.staff.forms import ConfirmForm, DecisionForm, ErasureForm
from app.staff.models import DisposalKind, DisposalRequest
from app.staff.pages import READERS, choose, found, programme_or_404, send
from app.staff.programmes import Programme
from app.staff.refusals import StaffError
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.forms import input_from, page_number, show_refusal

bp = Blueprint("staff_end", __name__, url_prefix="/staff")


def _task_context(task: Task | None) -> dict[str, Any]:
    """What templates/tasks/_progress.html needs, when there is a task to show."""
    return tasks.progress_context(task) if task is not None else {"task": None}


@bp.route("/contract-end")
@roles(*READERS)
def index() -> BaseResponse | str:
    return choose("staff_end.contract_end")


def _end_page(programme: str, form: ErasureForm | None = None, status: int = 200) -> tuple[str, int]:
    task = handover.latest(programme)
    return render_template(
        "staff/contract_end.html", programme=Programme(programme), in_progress=handover.in_progress(programme),
        **_task_context(task), form=form or ErasureForm(),
        page=disposal.requests(programme, erasure.KINDS, page_number()), counts=erasure.counts(programme),
        may_edit=register.may_edit(current_user, programme)), status


@bp.route("/<programme>/contract-end")
@roles(*READERS)
def contract_end(programme: str) -> tuple[str, int]:
    return _end_page(programme_or_404(programme))


@bp.route("/<programme>/handover", methods=["POST"])
@roles("supervisor")
def start_handover(programme: str) -> BaseResponse:
    programme = programme_or_404(programme)
    handover.start(programme, by=current_user)
    flash("引継ぎデータの作成を始めました。この画面を離れても処理は続きます。", "success")
    return redirect(url_for("staff_end.contract_end", programme=programme), 303)


@bp.route("/handover/<int:task_id>/download")
@roles(*READERS)
def download_handover(task_id: int) -> Response:
    try:
        package = handover.download(task_id, by=current_user)
    except StaffError:
        abort(404)
    response = send_file(package.path, mimetype="application/zip", as_attachment=True,
                         download_name=package.filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<programme>/erasures", methods=["POST"])
@roles("supervisor")
def request_erasure(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = ErasureForm()
    if form.validate_on_submit():
        try:
            data = input_from(form, disposal.DisposalInput, kind=DisposalKind.contract_end)
            made = disposal.apply(programme, data, by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="items")
        else:
            flash("個人情報の消去を市へ申請しました。", "success")
            return redirect(url_for("staff_end.erasure_page", request_id=made.id), 303)
    return _end_page(programme, form, 422)


def _found(request_id: int) -> DisposalRequest:
    """A contract-end request of a programme the user reaches (another programme's: 403)."""
    item: DisposalRequest = found(disposal.get(request_id))
    if item.kind not in erasure.KINDS:
        abort(404)
    return item


def _erasure_page(item: DisposalRequest, status: int = 200, **forms: object) -> tuple[str, int]:
    return render_template(
        "staff/erasure.html", item=item, verb=disposal.spec_of(item).verb, phrase=disposal.phrase(item),
        **_task_context(disposal.task_of(item)),
        decision_form=forms.get("decision_form") or DecisionForm(),
        confirm_form=forms.get("confirm_form") or ConfirmForm(),
        may_decide=disposal.may_decide(current_user, item), may_run=disposal.may_run(current_user, item)), status


@bp.route("/disposals/<int:request_id>")
@roles(*READERS)
def disposal_page(request_id: int) -> BaseResponse:
    """Any disposal request's page, by its kind (the audit log links here): the retention page's
    for the donation office's records, this blueprint's for an erasure at the contract's end."""
    item: DisposalRequest = found(disposal.get(request_id))
    return redirect(disposal.spec_of(item).page.format(id=item.id))


@bp.route("/erasures/<int:request_id>")
@roles(*READERS)
def erasure_page(request_id: int) -> tuple[str, int]:
    return _erasure_page(_found(request_id))


@bp.route("/erasures/<int:request_id>.pdf")
@roles(*READERS)
def erasure_pdf(request_id: int) -> Response:
    item = _found(request_id)
    return send(documents.disposal_pdf(item, by=current_user), "application/pdf", f"erasure-{item.id}.pdf")


def _decide(request_id: int, approve: bool) -> BaseResponse | tuple[str, int]:
    item = _found(request_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            disposal.decide(item, approve, form.note.data or "", by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="note")
        else:
            flash("消去を承認しました。" if approve else "消去の申請を不承認としました。", "success")
            return redirect(url_for("staff_end.erasure_page", request_id=item.id), 303)
    return _erasure_page(item, 422, decision_form=form)


@bp.route("/erasures/<int:request_id>/approve", methods=["POST"])
@roles("city_staff")
def approve_erasure(request_id: int) -> BaseResponse | tuple[str, int]:
    return _decide(request_id, approve=True)


@bp.route("/erasures/<int:request_id>/reject", methods=["POST"])
@roles("city_staff")
def reject_erasure(request_id: int) -> BaseResponse | tuple[str, int]:
    return _decide(request_id, approve=False)


@bp.route("/erasures/<int:request_id>/run", methods=["POST"])
@roles("supervisor")
def run_erasure(request_id: int) -> BaseResponse | tuple[str, int]:
    item = _found(request_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            disposal.start(item, form.confirmation.data or "", by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="confirmation")
        else:
            flash("消去を始めました。", "success")
            return redirect(url_for("staff_end.erasure_page", request_id=item.id), 303)
    return _erasure_page(item, 422, confirm_form=form)
