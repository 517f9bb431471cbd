"""受領証明書の印刷バッチの画面 (issue 16 §3): the list and the form that starts one, a batch
with its live progress, its PDF and mailing list, 発送しました and 取消して作り直す. The rules
are in app/furusato/certificate_batches.py. Registered on the furusato blueprint
(app/furusato/views.py imports this module)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.furusato import certificate_batches as batches_
from app.furusato import services
from app.furusato.batch_models import CertificateBatch
from app.furusato.forms import CertificateBatchForm
from app.furusato.views import STAFF, _by, bp
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal


def _form() -> CertificateBatchForm:
    form = CertificateBatchForm()
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    return form


def _list_page(form: CertificateBatchForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/certificate_batches.html", form=form, result=batches_.batches(page_number()),
                           query={}), status


@bp.route("/certificates/batches")
@roles(*STAFF)
def certificate_batches() -> tuple[str, int]:
    return _list_page(_form())


@bp.route("/certificates/batches", methods=["POST"])
@roles(*STAFF)
def start_certificate_batch() -> BaseResponse | tuple[str, int]:
    """Ask for a batch: its task is queued when this request commits (never the work here)."""
    form = _form()
    if form.validate_on_submit():
        try:
            made = batches_.start(input_from(form, batches_.BatchInput), by=_by())
        except batches_.BatchRefused as exc:
            show_refusal(form, exc)
        else:
            flash(f"印刷バッチ#{made.id}の作成を始めました。", "success")
            return redirect(url_for("furusato.certificate_batch", certificate_batch_id=made.id), 303)
    return _list_page(form, 422)


def _batch_or_404(certificate_batch_id: int) -> CertificateBatch:
    found = batches_.get(certificate_batch_id)
    if found is None:
        abort(404)
    return found


@bp.route("/certificates/batches/<int:certificate_batch_id>")
@roles(*STAFF)
def certificate_batch(certificate_batch_id: int) -> str:
    found = _batch_or_404(certificate_batch_id)
    task = batches_.task_of(found)
    return render_template("furusato/certificate_batch.html", batch=found, form=FlaskForm(),
                           conditions=batches_.describe(found), has_files=batches_.has_files(found),
                           can_confirm=batches_.can_confirm(found), can_cancel=batches_.can_cancel(found),
                           can_run_again=batches_.can_run_again(found),
                           **(progress_context(task) if task is not None else {}))


def _file(certificate_batch_id: int, suffix: str, mimetype: str) -> BaseResponse:
    found = _batch_or_404(certificate_batch_id)
    try:
        path, name = batches_.download(found, suffix, by=_by())
    except batches_.BatchRefused as exc:
        abort(404, exc.message)
    response = send_file(path, mimetype=mimetype, as_attachment=suffix == ".csv", download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/certificates/batches/<int:certificate_batch_id>/certificates.pdf")
@roles(*STAFF)
def certificate_batch_pdf(certificate_batch_id: int) -> BaseResponse:
    """The print-ready PDF, opened in the browser (its download is audited)."""
    return _file(certificate_batch_id, ".pdf", "application/pdf")


@bp.route("/certificates/batches/<int:certificate_batch_id>/mailing-list.csv")
@roles(*STAFF)
def certificate_batch_csv(certificate_batch_id: int) -> BaseResponse:
    """宛名一覧: postal code, address, name and how many certificates, one line per envelope."""
    return _file(certificate_batch_id, ".csv", "text/csv; charset=utf-8")


def _act(certificate_batch_id: int, step: Callable[[CertificateBatch], tuple[str, CertificateBatch]]
         ) -> BaseResponse:
    """A button of the batch page: the step's message flashed, then the page of the batch it
    names (the redo's after 取消して作り直す); a refusal changes nothing."""
    found = _batch_or_404(certificate_batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        message, target = step(found)
    except batches_.BatchRefused as exc:
        transaction.discard()
        flash(exc.message, "error")
        target = found
    else:
        flash(message, "success")
    return redirect(url_for("furusato.certificate_batch", certificate_batch_id=target.id), 303)


@bp.route("/certificates/batches/<int:certificate_batch_id>/posted", methods=["POST"])
@roles(*STAFF)
def certificate_batch_posted(certificate_batch_id: int) -> BaseResponse:
    """発送しました: the office confirms the envelopes went to the post."""
    def posted(batch: CertificateBatch) -> tuple[str, CertificateBatch]:
        return f"{batches_.confirm_posted(batch, by=_by())}枚の受領証明書を発送済にしました。", batch

    return _act(certificate_batch_id, posted)


@bp.route("/certificates/batches/<int:certificate_batch_id>/redo", methods=["POST"])
@roles(*STAFF)
def certificate_batch_redo(certificate_batch_id: int) -> BaseResponse:
    """取消して作り直す: a printed batch not posted; the redo prints the same numbers."""
    def redo(batch: CertificateBatch) -> tuple[str, CertificateBatch]:
        made = batches_.cancel_and_redo(batch, by=_by())
        return f"印刷バッチ#{batch.id}を取消し、同じ番号で#{made.id}を作り直しています。", made

    return _act(certificate_batch_id, redo)


@bp.route("/certificates/batches/<int:certificate_batch_id>/run", methods=["POST"])
@roles(*STAFF)
def certificate_batch_run_again(certificate_batch_id: int) -> BaseResponse:
    """A batch whose task failed or was stopped: run it again (nothing of it was kept)."""
    def run(batch: CertificateBatch) -> tuple[str, CertificateBatch]:
        batches_.run_again(batch, by=_by())
        return "印刷バッチの作成をやり直しています。", batch

    return _act(certificate_batch_id, run)
