"""入金照合の画面 (issue 16 §1): upload a bank's or ゆうちょ's transfer file, watch its matching,
and resolve the money matching could not place. The rules are in app/furusato/transfers.py and
transfer_matching.py. Registered on the furusato blueprint (app/furusato/views.py imports this
module)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth import audit
from app.auth.access import roles
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato import imports, transfer_matching, transfers
from app.furusato.forms import TransferChoiceForm, TransferExcludeForm, TransferUploadForm
from app.furusato.transfer_models import TransferBatch, TransferRow
from app.furusato.views import STAFF, _by, _running, bp, take_upload
from app.tasks.services import progress_context
from app.web.forms import choices, page_number, show_refusal


def _upload_form() -> TransferUploadForm:
    form = TransferUploadForm()
    form.profile.choices = choices((p.code, p.name) for p in transfers.profiles().values())
    return form


def _transfers_page(form: TransferUploadForm, status: int = 200) -> tuple[str, int]:
    count, total = transfer_matching.open_total()
    return render_template("furusato/transfers.html", form=form, batches=transfers.recent_batches(20),
                           open_count=count, open_total=total, profiles=transfers.profiles(),
                           max_mb=imports.MAX_UPLOAD_BYTES // (1024 * 1024), **_running()), status


@bp.route("/transfers")
@roles(*STAFF)
def transfers_page() -> tuple[str, int]:
    return _transfers_page(_upload_form())


@bp.route("/transfers", methods=["POST"])
@roles(*STAFF)
def transfer_upload() -> BaseResponse | tuple[str, int]:
    return take_upload(_upload_form(), _transfers_page, transfers.start, transfers.TransferUpload,
                       lambda batch: url_for("furusato.transfer_batch", transfer_id=batch.id))


@bp.route("/transfers/<int:transfer_id>")
@roles(*STAFF)
def transfer_batch(transfer_id: int) -> str:
    """A transfer file: its live progress while it is matched, then every row and what became of it."""
    found = db.get_or_404(TransferBatch, transfer_id)
    task = transfers.task_of(found)
    rows = transfers.batch_rows(found, page_number())
    audit.read_list("furusato_transfer", (r.id for r in rows.rows), f"入金照合 #{found.id} の明細（{rows.page}ページ）",
                    by=_by())
    return render_template("furusato/transfer_batch.html", batch=found, rows=rows,
                           profile=transfers.profiles().get(found.profile),
                           **(progress_context(task) if task is not None else {}))


@bp.route("/transfers/open")
@roles(*STAFF)
def transfers_open() -> str:
    """The money not yet placed on a donation: every row, with its count and total, until resolved."""
    rows = transfer_matching.open_rows(page_number())
    count, total = transfer_matching.open_total()
    audit.read_list("furusato_transfer", (r.id for r in rows.rows), f"未照合の入金（{rows.page}ページ）", by=_by())
    return render_template("furusato/transfers_open.html", rows=rows, open_count=count, open_total=total)


def _row_page(row: TransferRow, choice: TransferChoiceForm, exclude: TransferExcludeForm) -> str:
    found = transfer_matching.find(row) if row.open else None
    if found is not None:
        audit.read_list("furusato_donation", (d.id for d in found.candidates), f"入金照合 #{row.id} の候補", by=_by())
    return render_template("furusato/transfer_row.html", row=row, found=found, choice=choice, exclude=exclude)


@bp.route("/transfers/rows/<int:transfer_row_id>")
@roles(*STAFF)
def transfer_row(transfer_row_id: int) -> str:
    """One transfer with the donations it may pay: the office picks one, or sets it aside."""
    row = transfer_matching.read_row(transfer_row_id, by=_by())
    if row is None:
        abort(404)
    return _row_page(row, TransferChoiceForm(formdata=None), TransferExcludeForm(formdata=None))


@bp.route("/transfers/rows/<int:transfer_row_id>/choose", methods=["POST"])
@roles(*STAFF)
def transfer_choose(transfer_row_id: int) -> BaseResponse | tuple[str, int]:
    row = transfer_matching.read_row(transfer_row_id, by=_by())
    if row is None:
        abort(404)
    form = TransferChoiceForm()
    if form.validate_on_submit():
        try:
            transfer_matching.choose(row.id, form.donation.data, by=_by())
        except Refusal as exc:
            show_refusal(form, exc, fallback="donation")
        else:
            flash(f"入金を記録しました（寄附 #{form.donation.data}）。", "success")
            return redirect(url_for("furusato.transfers_open"), 303)
    return _row_page(row, form, TransferExcludeForm(formdata=None)), 422


@bp.route("/transfers/rows/<int:transfer_row_id>/exclude", methods=["POST"])
@roles(*STAFF)
def transfer_exclude(transfer_row_id: int) -> BaseResponse | tuple[str, int]:
    row = transfer_matching.read_row(transfer_row_id, by=_by())
    if row is None:
        abort(404)
    form = TransferExcludeForm()
    if form.validate_on_submit():
        try:
            transfer_matching.exclude(row.id, form.reason.data or "", by=_by())
        except Refusal as exc:
            show_refusal(form, exc, fallback="reason")
        else:
            flash("対象外にしました。", "success")
            return redirect(url_for("furusato.transfers_open"), 303)
    return _row_page(row, TransferChoiceForm(formdata=None), form), 422
