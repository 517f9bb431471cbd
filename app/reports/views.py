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
from app.reports import manual, monthly, roster
from app.reports.due import next_month, previous_month
from app.reports.forms import InspectionForm, MonthForm, RemarksForm
from app.reports.models import MonthlyReport
from app.tasks.services import progress_context
from app.web.forms import input_from, page_number, show_refusal
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = serves(Blueprint("reports", __name__, url_prefix="/reports"), Programme.counter)
NAV = (NavItem("業務報告書", "reports.monthly_index", "集計・報告"),
       NavItem("勤務割当表", "reports.roster_page", "集計・報告"),
       NavItem("業務マニュアル", "reports.manual_page", "集計・報告"))
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


@bp.route("/roster")
@roles(*READERS)
def roster_page() -> tuple[str, int]:
    """業務従事者名簿・翌月勤務割当表 (?month=YYYY-MM; next month when absent or unreadable)."""
    text = request.args.get("month", "")
    error = ""
    try:
        month = monthly.parse_month(text) if text else next_month(today().replace(day=1))
    except monthly.ReportRefused as exc:
        month, error = next_month(today().replace(day=1)), exc.message
    plan = roster.read(month, by=_by())
    return render_template("reports/roster.html", roster=plan, month_text=f"{month:%Y-%m}", error=error,
                           weekdays=calendar.WEEKDAYS_JA), 422 if error else 200


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
