"""The report pages (issue 20 §1): the monthly 業務報告書 (list, make with a progress bar, write
the 改善を要する事項, submit; the city inspects), its PDF and CSV annex, the day sheet. The rules
are in app/reports/monthly.py."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles, serves
from app.auth.models import Programme, User
from app.core import calendar
from app.core.dates import today
from app.reports import manual, monthly, roster, roster_plan
from app.reports.due import next_month, previous_month
from app.reports.forms import InspectionForm, MonthForm, RemarksForm, RosterAssignForm
from app.reports.models import MonthlyReport, RosterPlan
from app.reports.work_plan_views import bp as work_plan_bp
from app.tasks.services import progress_context
from app.web.forms import choices, input_from, page_number, show_refusal
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = serves(Blueprint("reports", __name__, url_prefix="/reports"), Programme.counter)
NAV = (NavItem("業務報告書", "reports.monthly_index", "集計・報告"),
       NavItem("勤務割当表", "reports.roster_page", "集計・報告"),
       NavItem("業務計画書", "work_plan.index", "集計・報告"),
       NavItem("業務マニュアル", "reports.manual_page", "集計・報告"))
BLUEPRINTS = (work_plan_bp,)
READERS = ("supervisor", "city_staff", "admin")
MAKERS = ("supervisor", "admin")
INSPECTORS = ("city_staff", "admin")


def _by() -> User:
    return current_user  # type: ignore[return-value]


def _list_page(form: MonthForm, status: int = 200) -> tuple[str, int]:
    return render_template("reports/monthly_index.html", form=form, result=monthly.reports(page_number()),
                           may_make=monthly.may_make(_by()), today=today()), status


@bp.route("/monthly")
@roles(*READERS)
def monthly_index() -> tuple[str, int]:
    form = MonthForm(formdata=None, month=f"{previous_month(today().replace(day=1)):%Y-%m}")
    return _list_page(form)


@bp.route("/monthly", methods=["POST"])
@roles(*MAKERS)
def request_monthly() -> BaseResponse | tuple[str, int]:
    """Ask for a month's report: its task is queued when this request commits."""
    form = MonthForm()
    if form.validate_on_submit():
        try:
            report = monthly.request(monthly.parse_month(form.month.data or ""), by=_by())
        except monthly.ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash(f"{report.label}の業務報告書の作成を始めました。", "success")
            return redirect(url_for("reports.monthly_report", report_id=report.id), 303)
    return _list_page(form, 422)


def _report_or_404(report_id: int) -> MonthlyReport:
    report = monthly.get(report_id)
    if report is None:
        abort(404)
    return report


def _report_page(report: MonthlyReport, remarks: RemarksForm | None = None,
                 inspection: InspectionForm | None = None, status: int = 200) -> tuple[str, int]:
    task = monthly.task_of(report)
    by = _by()
    return render_template(
        "reports/monthly_report.html", report=report, form=FlaskForm(),
        remarks_form=remarks or RemarksForm(formdata=None, remarks=report.remarks),
        inspection_form=inspection or InspectionForm(formdata=None),
        can_make=monthly.can_make(report, by), can_submit=monthly.can_submit(report, by),
        can_inspect=monthly.can_inspect(report, by), may_edit=monthly.may_make(by),
        **(progress_context(task) if task is not None else {})), status


@bp.route("/monthly/<int:report_id>")
@roles(*READERS)
def monthly_report(report_id: int) -> tuple[str, int]:
    return _report_page(_report_or_404(report_id))


@bp.route("/monthly/<int:report_id>/make", methods=["POST"])
@roles(*MAKERS)
def make_again(report_id: int) -> BaseResponse:
    report = _report_or_404(report_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        monthly.request(report.month, by=_by())
    except monthly.ReportRefused as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash("作り直しを始めました。", "success")
    return redirect(url_for("reports.monthly_report", report_id=report.id), 303)


@bp.route("/monthly/<int:report_id>/remarks", methods=["POST"])
@roles(*MAKERS)
def save_remarks(report_id: int) -> BaseResponse | tuple[str, int]:
    report = _report_or_404(report_id)
    form = RemarksForm()
    if form.validate_on_submit():
        try:
            monthly.save_remarks(report, input_from(form, monthly.RemarksInput), by=_by())
        except monthly.ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash("改善を要する事項を保存しました。報告書に載せるには作り直してください。", "success")
            return redirect(url_for("reports.monthly_report", report_id=report.id), 303)
    return _report_page(report, remarks=form, status=422)


@bp.route("/monthly/<int:report_id>/submit", methods=["POST"])
@roles(*MAKERS)
def submit(report_id: int) -> BaseResponse:
    report = _report_or_404(report_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        monthly.submit(report, by=_by())
    except monthly.ReportRefused as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash(f"{report.label}の業務報告書を市へ提出しました。", "success")
    return redirect(url_for("reports.monthly_report", report_id=report.id), 303)


@bp.route("/monthly/<int:report_id>/inspect", methods=["POST"])
@roles(*INSPECTORS)
def inspect(report_id: int) -> BaseResponse | tuple[str, int]:
    report = _report_or_404(report_id)
    form = InspectionForm()
    if form.validate_on_submit():
        try:
            monthly.inspect(report, input_from(form, monthly.InspectionInput), by=_by())
        except monthly.ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash(f"{report.label}の業務報告書を検査済にしました。", "success")
            return redirect(url_for("reports.monthly_report", report_id=report.id), 303)
    return _report_page(report, inspection=form, status=422)


def _download(report_id: int, kind: str) -> Response:
    report = _report_or_404(report_id)
    try:
        data, mimetype, name = monthly.document(report, kind, by=_by())
    except monthly.ReportRefused as exc:
        abort(404, exc.message)
    response = Response(data, mimetype=mimetype)
    disposition = "attachment" if kind == "csv" else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/monthly/<int:report_id>/report.pdf")
@roles(*READERS)
def monthly_pdf(report_id: int) -> Response:
    return _download(report_id, "pdf")


@bp.route("/monthly/<int:report_id>/annex.csv")
@roles(*READERS)
def monthly_csv(report_id: int) -> Response:
    return _download(report_id, "csv")


@bp.route("/day-sheet.pdf")
@roles(*READERS)
def day_sheet() -> Response:
    """業務日報 of a day (?day=YYYY-MM-DD; today when absent or not a date)."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = today()
    response = Response(monthly.day_sheet(day, by=_by()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="nippo-{day.isoformat()}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _roster_month() -> tuple[date, str]:
    text = request.args.get("month", "") or request.form.get("month", "")
    try:
        return (monthly.parse_month(text) if text else next_month(today().replace(day=1))), ""
    except monthly.ReportRefused as exc:
        return next_month(today().replace(day=1)), exc.message


def _assign_form(plan: RosterPlan | None, shown: roster.Roster,
                 form: RosterAssignForm | None = None) -> RosterAssignForm:
    form = form or RosterAssignForm(formdata=None)
    form.day.choices = choices([("", "選んでください")] + [
        (d.day.isoformat(), f"{d.day:%-m/%-d}（{calendar.WEEKDAYS_JA[d.day.weekday()]}）") for d in shown.days])
    people = roster_plan.placeable(plan) if plan else []
    form.staff.choices = choices([("", "選んでください")] + [(str(p.entry_id), p.name) for p in people])
    form.counter.choices = choices([("", "選んでください")] + [(str(c.id), c.label) for c in roster_plan.counters()])
    return form


def _roster_view(month: date, error: str = "", form: RosterAssignForm | None = None,
                 status: int = 200) -> tuple[str, int]:
    plan = roster_plan.for_month(month)
    shown = roster_plan.read(plan, by=_by()) if plan else roster.read(month, by=_by())
    return render_template("reports/roster.html", roster=shown, plan=plan, month_text=f"{month:%Y-%m}",
                           error=error, weekdays=calendar.WEEKDAYS_JA, form=_assign_form(plan, shown, form),
                           may_edit=roster_plan.may_edit(plan, _by()),
                           unstaffed=roster_plan.unstaffed_days(shown) if plan else []), 422 if error else status


@bp.route("/roster")
@roles(*READERS)
def roster_page() -> tuple[str, int]:
    """業務従事者名簿・翌月勤務割当表 (?month=YYYY-MM; next month when absent or unreadable): the
    stored roster once made, else the proposal from the register."""
    month, error = _roster_month()
    return _roster_view(month, error)


def _plan_or_404(plan_id: int) -> RosterPlan:
    plan = roster_plan.get(plan_id)
    if plan is None:
        abort(404)
    return plan


def _back_to(plan: RosterPlan) -> BaseResponse:
    return redirect(url_for("reports.roster_page", month=f"{plan.month:%Y-%m}"), 303)


@bp.route("/roster", methods=["POST"])
@roles(*MAKERS)
def create_roster() -> BaseResponse | tuple[str, int]:
    month, error = _roster_month()
    if not FlaskForm().validate_on_submit():
        abort(400)
    if error:
        return _roster_view(month, error)
    try:
        plan = roster_plan.create(month, by=_by())
    except monthly.ReportRefused as exc:
        discard()
        flash(exc.message, "error")
        return redirect(url_for("reports.roster_page", month=f"{month:%Y-%m}"), 303)
    flash(f"{plan.label}の勤務割当表を作成しました。日ごとに配置を直せます。", "success")
    return _back_to(plan)


@bp.route("/roster/<int:plan_id>/shifts", methods=["POST"])
@roles(*MAKERS)
def assign_shift(plan_id: int) -> BaseResponse | tuple[str, int]:
    plan = _plan_or_404(plan_id)
    form = RosterAssignForm()
    if form.validate_on_submit():
        try:
            roster_plan.assign(plan, input_from(form, roster_plan.AssignInput), by=_by())
        except monthly.ReportRefused as exc:
            discard()
            show_refusal(form, exc)
        else:
            flash("配置しました。", "success")
            return _back_to(plan)
    return _roster_view(plan.month, form=form, status=422)


@bp.route("/roster/<int:plan_id>/shifts/<int:shift_id>/remove", methods=["POST"])
@roles(*MAKERS)
def remove_shift(plan_id: int, shift_id: int) -> BaseResponse:
    plan = _plan_or_404(plan_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        roster_plan.unassign(plan, shift_id, by=_by())
    except monthly.ReportRefused as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash("配置を外しました。", "success")
    return _back_to(plan)


@bp.route("/roster/<int:plan_id>/submit", methods=["POST"])
@roles(*MAKERS)
def submit_roster(plan_id: int) -> BaseResponse:
    plan = _plan_or_404(plan_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        roster_plan.submit(plan, by=_by())
    except monthly.ReportRefused as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash(f"{plan.label}の勤務割当表を市へ提出しました。", "success")
    return _back_to(plan)


@bp.route("/roster/<int:plan_id>/roster.pdf")
@roles(*READERS)
def roster_pdf(plan_id: int) -> Response:
    plan = _plan_or_404(plan_id)
    response = Response(roster_plan.document(plan, by=_by()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="kinmu-{plan.month:%Y-%m}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/manual.pdf")
@roles("operator", *READERS)
def manual_pdf() -> Response:
    """業務マニュアル: the procedure catalog, printable (no personal data in it)."""
    response = Response(manual.counter_manual(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = 'inline; filename="gyomu-manual.pdf"'
    return response


@bp.route("/manual")
@roles("operator", *READERS)
def manual_page() -> str:
    """業務マニュアル: what the printable manual holds, and the link to it."""
    return render_template("reports/manual.html", sections=manual.contents())
