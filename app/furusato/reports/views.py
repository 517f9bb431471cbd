"""業務報告書・分析・戦略会議の画面 (004 §10, §7(3)エ). Registered on the furusato blueprint."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.auth.models import Role
from app.core.dates import today
from app.furusato import services as furusato
from app.furusato.reports import analytics
from app.furusato.reports import services as reports
from app.furusato.reports.forms import AnalyticsForm, InspectForm, MeetingForm, MonthForm
from app.furusato.reports.models import MonthlyReport
from app.furusato.views import ANALYSTS, STAFF, _by, bp
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal, submitted

SUPERVISOR_AND_CITY = ("supervisor", "city_staff")


def _list_page(form: MonthForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/reports.html", form=form, result=reports.reports(page_number()), query={},
                           may_make=_by().role in (Role.operator, Role.supervisor),
                           default_month=reports.previous_month(today())), status


@bp.route("/reports", endpoint="reports")
@roles(*ANALYSTS)
def reports_page() -> tuple[str, int]:
    month = reports.previous_month(today())
    return _list_page(MonthForm(formdata=None, month=f"{month:%Y-%m}"))


@bp.route("/reports", methods=["POST"])
@roles(*STAFF)
def make_report() -> BaseResponse | tuple[str, int]:
    """Make (or make again) a month's report: its task is queued when this request commits."""
    form = MonthForm()
    if done := submitted(form, lambda: reports.request(reports.parse_month(form.month.data or ""), by=_by())):
        report = done.value
        flash(f"{report.label}の業務報告書の作成を始めました。", "success")
        return redirect(url_for("furusato.report", report_id=report.id), 303)
    return _list_page(form, 422)


def _report(report_id: int) -> MonthlyReport:
    found = reports.get(report_id)
    if found is None:
        abort(404)
    return found


def _report_page(found: MonthlyReport, form: InspectForm, status: int = 200) -> tuple[str, int]:
    task = reports.task_of(found)
    by = _by()
    return render_template("furusato/report.html", report=found, form=form, meetings=reports.meetings_of(found.month),
                           can_submit=reports.can_submit(found, by), can_inspect=reports.can_inspect(found, by),
                           can_remake=reports.can_remake(found, by), making=found.state == "making",
                           **(progress_context(task) if task is not None else {})), status


@bp.route("/reports/<int:report_id>")
@roles(*ANALYSTS)
def report(report_id: int) -> tuple[str, int]:
    return _report_page(_report(report_id), InspectForm(formdata=None))


@bp.route("/reports/<int:report_id>/submit", methods=["POST"])
@roles("supervisor")
def submit_report(report_id: int) -> BaseResponse:
    found = _report(report_id)
    try:
        reports.submit(found, by=_by())
    except reports.ReportRefused as exc:
        transaction.refused_shown_again()
        flash(exc.message, "error")
    else:
        flash(f"{found.label}の業務報告書を提出しました。", "success")
    return redirect(url_for("furusato.report", report_id=found.id), 303)


@bp.route("/reports/<int:report_id>/inspect", methods=["POST"])
@roles("city_staff")
def inspect_report(report_id: int) -> BaseResponse | tuple[str, int]:
    found = _report(report_id)
    form = InspectForm()
    if submitted(form, lambda: reports.inspect(found, form.decision.data == "pass", form.note.data or "", by=_by()),
                 fallback="note"):
        flash(f"{found.label}の業務報告書を{found.state.label}にしました。", "success")
        return redirect(url_for("furusato.report", report_id=found.id), 303)
    return _report_page(found, form, 422)


def _file(report_id: int, suffix: str, mimetype: str) -> Response:
    found = _report(report_id)
    try:
        data = reports.file_of(found, suffix)
    except reports.ReportRefused:
        abort(404)
    name = f"monthly-report-{found.month:%Y-%m}{suffix}"
    disposition = "inline" if suffix == ".pdf" else "attachment"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


@bp.route("/reports/<int:report_id>/report.pdf")
@roles(*ANALYSTS)
def report_pdf(report_id: int) -> Response:
    return _file(report_id, ".pdf", "application/pdf")


@bp.route("/reports/<int:report_id>/annex.csv")
@roles(*ANALYSTS)
def report_csv(report_id: int) -> Response:
    return _file(report_id, ".csv", "text/csv")


# --- analytics -----------------------------------------------------------------------------

@bp.route("/analytics", endpoint="analytics")
@roles(*ANALYSTS)
def analytics_page() -> tuple[str, int]:
    form = AnalyticsForm(request.args)
    portals = furusato.portals()
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in portals)])
    portal = next((p for p in portals if p.code == form.portal.data), None)
    start, end = analytics.default_period(today())
    shown, status = [], 200
    if form.validate():
        data = analytics.AnalyticsInput(form.date_from.data, form.date_to.data, portal.id if portal else None)
        try:
            scope = analytics.scope_of(data, today())
        except analytics.AnalyticsRefused as exc:
            show_refusal(form, exc)
            status = 422
        else:
            shown = [(s, [analytics.image_src(c) for c in s.charts]) for s in analytics.sections(scope)]
            start, end = scope.start, scope.end
    else:
        status = 422
    return render_template("furusato/analytics.html", form=form, sections=shown, period=(start, end),
                           portal=portal), status



# --- strategy meetings ---------------------------------------------------------------------

def _meetings_page(form: MeetingForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/meetings.html", form=form, result=reports.meetings(page_number()), query={},
                           may_record=_by().role in (Role.supervisor, Role.city_staff)), status


@bp.route("/meetings")
@roles(*ANALYSTS)
def meetings() -> tuple[str, int]:
    return _meetings_page(MeetingForm(formdata=None, held_on=today()))


@bp.route("/meetings", methods=["POST"])
@roles(*SUPERVISOR_AND_CITY)
def add_meeting() -> BaseResponse | tuple[str, int]:
    form = MeetingForm()
    if done := submitted(form, lambda: reports.add_meeting(input_from(form, reports.MeetingInput), by=_by())):
        meeting = done.value
        flash(f"{meeting.held_on:%Y-%m-%d}の戦略会議を記録しました。", "success")
        return redirect(url_for("furusato.meetings"), 303)
    return _meetings_page(form, 422)

