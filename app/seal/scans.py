"""The impression from the counter's scanner, or from an image file (印影の取込み).

No request waits for the scanner (STYLE rule 17): a POST queues the scan job and answers at
once, the page polls the job (a GET, reading only), and a second POST takes the image out of
the job row and uses it. See app/devices/jobs.py for page waits.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import IO

from PIL import Image

from app.auth.models import User
from app.devices import jobs
from app.devices.models import DeviceJob, Terminal
from app.devices.services import terminals_with_device
from app.extensions import db
from app.seal import imaging, services
from app.seal.models import SealApplication, SealRecord
from app.seal.services import SealError

SCAN_KIND = "scan"
MAX_IMAGE_BYTES = 20 * 1024 * 1024
DEFAULT_DPI = 600


@dataclass(frozen=True)
class ScanStatus:
    """What the page shows of a scan: `phase` as jobs.phase gives it, and why it failed."""

    job_id: int
    phase: str
    message: str = ""

    @property
    def waiting(self) -> bool:
        return self.phase == "waiting"

    @property
    def overdue(self) -> bool:
        """The wait ran out: the page gives the scan up."""
        return self.phase == "overdue"

    @property
    def ready(self) -> bool:
        """The image is there: the page takes it."""
        return self.phase == "ready"

    @property
    def taken(self) -> bool:
        return self.phase == "taken"


def scanner_terminals() -> list[Terminal]:
    return terminals_with_device("scanner")


def scanner_terminal(terminal_id: int | None) -> Terminal:
    """The scanner terminal the operator chose on the page."""
    terminal = next((t for t in scanner_terminals() if t.id == terminal_id), None)
    if terminal is None:
        raise SealError("スキャナのある端末を選んでください。", "image")
    return terminal


def _start_scan(terminal: Terminal, summary: str, by: User, target: dict[str, int]) -> DeviceJob:
    try:
        return jobs.enqueue(terminal, jobs.JobSpec("scanner", SCAN_KIND, target, summary), by=by)
    except jobs.JobError as exc:
        raise SealError(exc.message) from exc


def start_application_scan(application: SealApplication, terminal: Terminal, *, by: User) -> DeviceJob:
    """Queue a scan of the seal on the counter PC's scanner for the application's impression."""
    services.check_editable(application)
    return _start_scan(terminal, f"印影読取 受付番号{application.id}", by, {"application_id": application.id})


def start_compare_scan(record: SealRecord, terminal: Terminal, *, by: User) -> DeviceJob:
    """Queue a scan of a presented seal, to compare with the registered one."""
    return _start_scan(terminal, "印影照合", by, {"record_id": record.id})


def scan_job(job_id: int, *, by: User, **target: int) -> DeviceJob | None:
    """The scan `by` started for `target` (application_id=… or record_id=…); None otherwise."""
    return jobs.waited_job(job_id, SCAN_KIND, by, **target)


def scan_status(job: DeviceJob, subject: str = "印影") -> ScanStatus:
    """Where the scan stands; reads only (the page polls it with GET). `subject` is what lies on
    the scanner (the one-stop pages say 申請書)."""
    phase = jobs.phase(job)
    if phase == "failed":
        reason = (job.result or {}).get("message") or job.error
        return ScanStatus(job.id, phase, f"読み取りできませんでした：{reason}　{subject}をスキャナに置き直して、"
                                         "もう一度読み取ってください。")
    if phase == "cancelled":
        if job.attempts == 0:
            message = (f"端末「{job.terminal.name}」のエージェントが応答しません。端末の電源とネットワークを確認し、"
                       "もう一度読み取ってください。")
        else:
            message = (f"端末「{job.terminal.name}」のスキャナから応答がありません。端末とスキャナを確認し、"
                       "もう一度読み取ってください。")
        return ScanStatus(job.id, phase, message)
    return ScanStatus(job.id, phase)


def take_scan(job: DeviceJob) -> tuple[Image.Image, int]:
    """The finished scan's image, at the DPI the scanner is set to (the agent reports it with
    the image; HARDWARE.md: never the file's metadata). The job row keeps no image."""
    try:
        result = jobs.take_result(job)
    except jobs.JobError as exc:
        raise SealError(exc.message) from exc
    return imaging.load_image(base64.b64decode(result["image_png_b64"])), int(result["dpi"])


def attach_scan(application: SealApplication, job: DeviceJob, *, by: User) -> imaging.CheckResult:
    """Check the finished scan and keep it on the application. The image leaves the job row
    whatever happens; a refused impression changes nothing else (its step runs in a savepoint),
    so the page may keep the request's changes."""
    image, dpi = take_scan(job)
    with db.session.begin_nested():
        return services.attach_impression(application, image, dpi, f"スキャナ {job.terminal.code}", by=by)


def compare_scan_job(job_id: int, *, by: User) -> DeviceJob | None:
    """A scan `by` started for 印影照合 (it names the seal record it is compared with)."""
    job = jobs.waited_job(job_id, SCAN_KIND, by)
    return job if job is not None and isinstance(job.payload.get("record_id"), int) else None


def compare_scan_record(job: DeviceJob, *, by: User) -> SealRecord:
    record = services.get_record(int(job.payload["record_id"]), by=by)
    if record is None:
        raise SealError("照合する印鑑登録が見つかりません。", "card_number")
    return record


def give_up_scan(job: DeviceJob, *, by: User) -> ScanStatus:
    """The page stops waiting: a scan not started yet never runs, a late answer is dropped."""
    jobs.give_up(job, by)
    return scan_status(job)


def image_from_upload(stream: IO[bytes] | None, dpi: int | None) -> tuple[Image.Image, int]:
    """An impression from an image file (when the scanner cannot be used), at the DPI the person
    says it was scanned at."""
    if not stream:
        raise SealError("照合する印影の画像を選ぶか、スキャナで読み取ってください。", "image")
    data = stream.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise SealError("画像が大きすぎます（20MBまで）。", "image")
    try:
        return imaging.load_image(data), dpi or DEFAULT_DPI
    except ValueError as exc:
        raise SealError(str(exc), "image") from exc
