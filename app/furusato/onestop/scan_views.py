"""スキャナで読み取る on the one-stop pages (issue 17 §1): the page of a paper application read
from the office terminal's scanner through the agent, as the seal pages do (app/seal/views.py):
a POST queues the scan and answers at once, the scan's part of the page polls the job every
second (a GET, which reads only), and when the agent has answered it posts itself once to take
the image, which scans.py attaches encrypted. No request waits on the device. Registered on the
furusato blueprint (imported by views.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.devices.models import DeviceJob, Terminal
from app.furusato.onestop import scans
from app.furusato.onestop.applications import OneStopError
from app.furusato.onestop.models import OneStopApplication
from app.furusato.onestop.views import _page, _read
from app.furusato.views import STAFF, _by, bp
from app.web.forms import integer
from app.web.htmx import wants_fragment
from app.web.transaction import discard, keep_changes

TERMINAL_KEY = "onestop_terminal_id"


def terminal_choice() -> dict[str, object]:
    """The scanner terminals for the page's select, the office's own (the one last used) first chosen."""
    terminals = scans.scanner_terminals()
    ids = [t.id for t in terminals]
    chosen = session.get(TERMINAL_KEY)
    return {"terminals": terminals, "terminal_id": chosen if chosen in ids else (ids[0] if ids else None)}


def chosen_terminal() -> Terminal:
    terminal = scans.scanner_terminal(request.form.get("terminal_id", type=integer))
    session[TERMINAL_KEY] = terminal.id
    return terminal


def scan_url(application: OneStopApplication, job: DeviceJob) -> str:
    return url_for("furusato.onestop_scan", application_id=application.id, job_id=job.id, _anchor="scan")


def _urls(application_id: int, job_id: int) -> dict[str, str]:
    ids = {"application_id": application_id, "job_id": job_id}
    return {"poll": url_for("furusato.onestop_scan", **ids), "take": url_for("furusato.onestop_take_scan", **ids),
            "cancel": url_for("furusato.onestop_give_up_scan", **ids),
            "done": url_for("furusato.onestop_application", application_id=application_id)}


def _fragment(status: scans.ScanStatus, application_id: int) -> str:
    return render_template("seal/_scan_status.html", scan=status, scan_urls=_urls(application_id, status.job_id),
                           scan_subject=scans.SUBJECT)


def _job(job_id: int, application_id: int) -> DeviceJob:
    job = scans.scan_job(job_id, application_id, by=_by())
    if job is None:
        abort(404)
    return job


def _application(application_id: int) -> OneStopApplication:
    return _read(application_id)


@bp.route("/onestop/<int:application_id>/scan", methods=["POST"])
@roles(*STAFF)
def onestop_start_scan(application_id: int) -> BaseResponse:
    """スキャナで読み取る on an application's page: another page of it."""
    application = _application(application_id)
    try:
        job = scans.start_scan(application, chosen_terminal(), by=_by())
    except OneStopError as exc:
        discard()
        flash(exc.message, "error")
        return redirect(url_for("furusato.onestop_application", application_id=application_id, _anchor="scan"), 303)
    return redirect(scan_url(application, job), 303)


@bp.route("/onestop/<int:application_id>/scan/<int:job_id>")
@roles(*STAFF)
def onestop_scan(application_id: int, job_id: int) -> str | tuple[str, int]:
    """One scan: the application's page with it, or (polled every second) its state alone, which
    reads neither the application nor its person."""
    if wants_fragment():
        return _fragment(scans.scan_status(_job(job_id, application_id)), application_id)
    application = _application(application_id)
    return _page(application, scan=scans.scan_status(_job(job_id, application_id)),
                 scan_urls=_urls(application_id, job_id))


@bp.route("/onestop/<int:application_id>/scan/<int:job_id>", methods=["POST"])
@roles(*STAFF)
def onestop_take_scan(application_id: int, job_id: int) -> BaseResponse:
    """The agent has answered: the page is attached, encrypted, to the application."""
    application = _application(application_id)
    job = _job(job_id, application_id)
    try:
        scans.attach_scan(application, job, by=_by())
    except OneStopError as exc:
        keep_changes()  # the image has left the job row, and must stay so
        flash(exc.message, "error")
    else:
        flash("申請書を読み取り、画像を暗号化して添付しました。", "success")
    return redirect(url_for("furusato.onestop_application", application_id=application_id, _anchor="scan"), 303)


@bp.route("/onestop/<int:application_id>/scan/<int:job_id>/cancel", methods=["POST"])
@roles(*STAFF)
def onestop_give_up_scan(application_id: int, job_id: int) -> BaseResponse | str:
    try:
        status = scans.give_up_scan(_job(job_id, application_id), by=_by())
    except OneStopError as exc:
        discard()
        flash(exc.message, "error")
        return redirect(url_for("furusato.onestop_application", application_id=application_id), 303)
    if wants_fragment():
        return _fragment(status, application_id)
    return redirect(url_for("furusato.onestop_scan", application_id=application_id, job_id=job_id,
                            _anchor="scan"), 303)
