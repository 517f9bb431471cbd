"""A page of a paper application from the counter terminal's scanner (issue 17 §1), through the
agent exactly as the seal impressions are read (app/seal/scans.py, app/devices/jobs.py): a POST
queues the scanner job and answers at once, the page polls the job (a GET, reading only), and a
second POST takes the image out of the job row and attaches it to the application, encrypted as
uploads are (applications.attach_image). No request waits on the device.
"""

from __future__ import annotations

import base64

from app.auth import audit
from app.auth.models import User
from app.devices import jobs
from app.devices.models import DeviceJob, Terminal
from app.furusato.onestop.applications import OneStopError, attach_image
from app.furusato.onestop.models import OPEN_STATES, OneStopApplication, OneStopImage
from app.seal import scans as seal_scans
from app.seal.scans import SCAN_KIND, ScanStatus, scanner_terminals

__all__ = ["ScanStatus", "scan_status", "scanner_terminals"]
SUBJECT = "申請書"


def scan_status(job: DeviceJob) -> ScanStatus:
    """Where the scan stands, its errors worded for a paper application; reads only."""
    return seal_scans.scan_status(job, SUBJECT)


def give_up_scan(job: DeviceJob, *, by: User) -> ScanStatus:
    """The page stops waiting: a scan not started yet never runs, a late answer is dropped."""
    try:
        jobs.give_up(job, by)
    except jobs.JobError as exc:
        raise OneStopError(exc.message) from exc
    return scan_status(job)


def scanner_terminal(terminal_id: int | None) -> Terminal:
    terminal = next((t for t in scanner_terminals() if t.id == terminal_id), None)
    if terminal is None:
        raise OneStopError("スキャナのある端末を選んでください。", "terminal_id")
    return terminal


def start_scan(application: OneStopApplication, terminal: Terminal, *, by: User) -> DeviceJob:
    """Queue a scan of the application's page on the terminal's scanner."""
    if application.state not in OPEN_STATES:
        raise OneStopError(f"{application.state.label}の申請には画像を追加できません。")
    try:
        return jobs.enqueue(terminal, jobs.JobSpec("scanner", SCAN_KIND, {"onestop_application_id": application.id},
                                                   f"ワンストップ特例申請書の読取 整理番号{application.id}"), by=by)
    except jobs.JobError as exc:
        raise OneStopError(exc.message) from exc


def scan_job(job_id: int, application: OneStopApplication | int, *, by: User) -> DeviceJob | None:
    """The scan `by` started for this application (or its id, for the page that polls it without
    reading the application); None for any other."""
    application_id = application if isinstance(application, int) else application.id
    return jobs.waited_job(job_id, SCAN_KIND, by, onestop_application_id=application_id)


def attach_scan(application: OneStopApplication, job: DeviceJob, *, by: User) -> OneStopImage:
    """The finished scan, encrypted onto the application; the job row keeps no image."""
    try:
        result = jobs.take_result(job)
    except jobs.JobError as exc:
        raise OneStopError(exc.message) from exc
    image = attach_image(application, "image/png", base64.b64decode(result["image_png_b64"]))
    audit.record("create", "furusato_onestop_image", application.id,
                 f"申請書の画像（スキャナ {job.terminal.code}）", by=by)
    return image
