"""保存期間と廃棄の画面 (004 §8; 特記事項 §12): the periods (set by the city), what passed them,
the disposal requests, the city's approval, carrying it out with its progress, and the record
PDF. Registered on the furusato blueprint."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.auth.models import Role
from app.core.dates import today
from app.furusato.retention import services as retention
from app.furusato.retention.forms import DecisionForm, DisposalForm, PeriodForm
from app.furusato.retention.models import RETAINED
from app.furusato.views import _by, bp
from app.staff import disposal as disposals
from app.staff import documents
from app.staff.models import DisposalKind, DisposalRequest
from app.staff.pages import found, send
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import input_from, page_number, submitted

READERS = ("supervisor", "city_staff")


def _page(period_form: PeriodForm, disposal_form: DisposalForm, status: int = 200) -> tuple[str, int]:
    by = _by()
    return render_template("furusato/retention.html", lines=retention.overview(today()), period_form=period_form,
                           disposal_form=disposal_form, result=retention.requests(page_number()), query={},
                           may_set=by.role == Role.city_staff, may_apply=by.role == Role.supervisor), status


def _disposal_form() -> DisposalForm:
    data = retention.default_input(DisposalKind.donation)
    return DisposalForm(formdata=None, kind=data.kind, items=data.items, medium=data.medium, method=data.method,
                        planned_on=data.planned_on)


@bp.route("/retention", endpoint="retention")
@roles(*READERS)
def retention_page() -> tuple[str, int]:
    return _page(PeriodForm(formdata=None), _disposal_form())



@bp.route("/retention/periods", methods=["POST"])
@roles("city_staff")
def set_retention_period() -> BaseResponse | tuple[str, int]:
    form = PeriodForm()
    if done := submitted(form, lambda: retention.set_period(form.kind.data or "", form.years.data, by=_by())):
        period = done.value
        flash(f"{period.kind.label}の保存期間を{period.years}年にしました。", "success")
        return redirect(url_for("furusato.retention"), 303)
    return _page(form, _disposal_form(), 422)


@bp.route("/retention/disposals", methods=["POST"])
@roles("supervisor")
def apply_disposal() -> BaseResponse | tuple[str, int]:
    form = DisposalForm()
    if done := submitted(form, lambda: disposals.apply(retention.PROGRAMME, input_from(form, disposals.DisposalInput),
                                                       by=_by())):
        request = done.value
        flash(f"廃棄を申請しました（{request.kind.label} {request.count:,}件）。市の承認を待ちます。", "success")
        return redirect(url_for("furusato.disposal", disposal_id=request.id), 303)
    return _page(PeriodForm(formdata=None), form, 422)


def _found(disposal_id: int) -> DisposalRequest:
    """A request of the donation office's retained kinds (another programme's: 403)."""
    request: DisposalRequest = found(disposals.get(disposal_id))
    if request.kind not in RETAINED:
        abort(404)
    return request


def _disposal_page(found: DisposalRequest, form: DecisionForm, status: int = 200) -> tuple[str, int]:
    by = _by()
    task = disposals.task_of(found)
    return render_template("furusato/disposal.html", disposal=found, form=form, verb=disposals.spec_of(found).verb,
                           may_decide=disposals.may_decide(by, found), may_run=disposals.may_run(by, found),
                           **(progress_context(task) if task is not None else {})), status


@bp.route("/retention/disposals/<int:disposal_id>")
@roles(*READERS)
def disposal(disposal_id: int) -> tuple[str, int]:
    return _disposal_page(_found(disposal_id), DecisionForm(formdata=None))


@bp.route("/retention/disposals/<int:disposal_id>/decide", methods=["POST"])
@roles("city_staff")
def decide_disposal(disposal_id: int) -> BaseResponse | tuple[str, int]:
    found = _found(disposal_id)
    form = DecisionForm()
    if submitted(form, lambda: disposals.decide(found, form.decision.data == "approve", form.note.data or "",
                                                by=_by()), fallback="note"):
        flash(f"廃棄の申請を{found.state.label}にしました。", "success")
        return redirect(url_for("furusato.disposal", disposal_id=found.id), 303)
    return _disposal_page(found, form, 422)


@bp.route("/retention/disposals/<int:disposal_id>/run", methods=["POST"])
@roles("supervisor")
def run_disposal(disposal_id: int) -> BaseResponse:
    found = _found(disposal_id)
    try:
        disposals.start(found, by=_by())
    except disposals.DisposalRefused as exc:
        transaction.refused_shown_again()
        flash(exc.message, "error")
    else:
        flash("廃棄を始めました。", "success")
    return redirect(url_for("furusato.disposal", disposal_id=found.id), 303)


@bp.route("/retention/disposals/<int:disposal_id>/record.pdf")
@roles(*READERS)
def disposal_pdf(disposal_id: int) -> Response:
    found = _found(disposal_id)
    return send(documents.disposal_pdf(found, by=_by()), "application/pdf", f"disposal-{found.id}.pdf")
