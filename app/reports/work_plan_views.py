"""The 業務計画書 pages (000 §10, issue 20 §1): the list with the next period's due day, a plan
with its sections and the previous plan's results, its text saved and submitted by the
contractor, approved or returned by the city, and its PDF. The rules are in
app/reports/work_plan.py."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles, serves
from app.auth.models import Programme, User
from app.core.dates import today
from app.reports import work_plan
from app.reports.forms import WorkPlanCreateForm, WorkPlanDecisionForm, WorkPlanForm
from app.reports.models import WorkPlan
from app.reports.monthly import ReportRefused
from app.web.forms import input_from, page_number, show_refusal
from app.web.transaction import discard

bp = serves(Blueprint("work_plan", __name__, url_prefix="/reports/work-plans"), Programme.counter)
READERS = ("supervisor", "city_staff", "admin")
MAKERS = ("supervisor", "admin")
DECIDERS = ("city_staff", "admin")


def _by() -> User:
    return current_user  # type: ignore[return-value]


def _index(form: WorkPlanCreateForm, status: int = 200) -> tuple[str, int]:
    upcoming = work_plan.next_start()
    return render_template("reports/work_plans.html", form=form, result=work_plan.plans(page_number()),
                           may_make=work_plan.may_make(_by()), upcoming=upcoming,
                           upcoming_due=work_plan.plan_due(upcoming), today=today()), status


@bp.route("")
@roles(*READERS)
def index() -> tuple[str, int]:
    return _index(WorkPlanCreateForm(formdata=None, starts=f"{work_plan.next_start():%Y-%m}"))


@bp.route("", methods=["POST"])
@roles(*MAKERS)
def create() -> BaseResponse | tuple[str, int]:
    form = WorkPlanCreateForm()
    if form.validate_on_submit():
        try:
            plan = work_plan.create(work_plan.parse_period(form.starts.data or ""), by=_by())
        except ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash(f"{plan.label}の業務計画書をひな形から作成しました。", "success")
            return redirect(url_for("work_plan.plan_page", work_plan_id=plan.id), 303)
    return _index(form, 422)


def _plan_or_404(work_plan_id: int) -> WorkPlan:
    plan = work_plan.get(work_plan_id)
    if plan is None:
        abort(404)
    return plan


def _page(plan: WorkPlan, form: WorkPlanForm | None = None, decision: WorkPlanDecisionForm | None = None,
          status: int = 200) -> tuple[str, int]:
    by = _by()
    texts = {key: plan.sections.get(key, {}).get("text", "") for key, _ in work_plan.SECTIONS}
    target = plan.expected.get("target_wait")
    form = form or WorkPlanForm(formdata=None, target_wait="" if target is None else f"{target:g}", **texts)
    return render_template("reports/work_plan.html", plan=plan, results=work_plan.read(plan, by=by), form=form,
                           decision=decision or WorkPlanDecisionForm(formdata=None), sections=work_plan.SECTIONS,
                           may_edit=work_plan.may_edit(plan, by), may_decide=work_plan.may_decide(plan, by),
                           today=today()), status


@bp.route("/<int:work_plan_id>")
@roles(*READERS)
def plan_page(work_plan_id: int) -> tuple[str, int]:
    return _page(_plan_or_404(work_plan_id))


def _back(plan: WorkPlan) -> BaseResponse:
    return redirect(url_for("work_plan.plan_page", work_plan_id=plan.id), 303)


@bp.route("/<int:work_plan_id>", methods=["POST"])
@roles(*MAKERS)
def save(work_plan_id: int) -> BaseResponse | tuple[str, int]:
    plan = _plan_or_404(work_plan_id)
    form = WorkPlanForm()
    if form.validate_on_submit():
        try:
            work_plan.save(plan, input_from(form, work_plan.PlanInput), by=_by())
        except ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash("業務計画書を保存しました。", "success")
            return _back(plan)
    return _page(plan, form=form, status=422)


@bp.route("/<int:work_plan_id>/submit", methods=["POST"])
@roles(*MAKERS)
def submit(work_plan_id: int) -> BaseResponse:
    plan = _plan_or_404(work_plan_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        work_plan.submit(plan, by=_by())
    except ReportRefused as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash(f"{plan.label}の業務計画書を市へ提出しました。", "success")
    return _back(plan)


def _decide(work_plan_id: int, approve: bool) -> BaseResponse | tuple[str, int]:
    plan = _plan_or_404(work_plan_id)
    form = WorkPlanDecisionForm()
    if form.validate_on_submit():
        try:
            work_plan.decide(plan, input_from(form, work_plan.DecisionInput), approve, by=_by())
        except ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash(f"{plan.label}の業務計画書を{'承認' if approve else '差し戻'}しました。", "success")
            return _back(plan)
    return _page(plan, decision=form, status=422)


@bp.route("/<int:work_plan_id>/approve", methods=["POST"])
@roles(*DECIDERS)
def approve(work_plan_id: int) -> BaseResponse | tuple[str, int]:
    return _decide(work_plan_id, True)


@bp.route("/<int:work_plan_id>/return", methods=["POST"])
@roles(*DECIDERS)
def send_back(work_plan_id: int) -> BaseResponse | tuple[str, int]:
    """差戻し (the reason is required)."""
    return _decide(work_plan_id, False)


@bp.route("/<int:work_plan_id>/work-plan.pdf")
@roles(*READERS)
def plan_pdf(work_plan_id: int) -> Response:
    plan = _plan_or_404(work_plan_id)
    response = Response(work_plan.document(plan, by=_by()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="keikaku-{plan.starts:%Y-%m}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response
