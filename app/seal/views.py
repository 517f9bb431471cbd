"""印鑑登録 pages: applications at the counter, city review, seal records, certificates and
the seal comparison tool. Views parse input, call the seal services and render."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles, serves
from app.auth.models import Programme
from app.core.dates import today
from app.devices.models import DeviceJob
from app.registry import services as registry
from app.registry.adapter import PersonRecord, SearchCriteria
from app.registry.forms import ResidentSearchForm
from app.seal import certificates, imaging, scans, services
from app.seal.forms import (
    AbolitionForm,
    ApplicationForm,
    CertificateForm,
    CompareForm,
    ConfirmForm,
    ReplyForm,
    ReturnForm,
    UploadForm,
)
from app.seal.models import SealApplication, SealCertificate, SealRecord
from app.seal.services import SealError
from app.web.forms import input_from, integer, show_refusal
from app.web.htmx import wants_fragment
from app.web.nav_item import NavItem
from app.web.transaction import discard, keep_changes

bp = serves(Blueprint("seal", __name__, url_prefix="/seal"), Programme.counter)
NAV = (
    NavItem("印鑑登録", "seal.index", "窓口業務"),
    NavItem("印鑑登録 審査", "seal.reviews", "窓口業務"),
    NavItem("印鑑登録証明書", "seal.new_certificate", "窓口業務"),
    NavItem("印鑑登録原票", "seal.records", "窓口業務"),
    NavItem("印影照合", "seal.compare", "窓口業務"),
)
COUNTER = services.COUNTER_ROLES
STAFF = (*services.COUNTER_ROLES, *services.REVIEW_ROLES)
REVIEW = services.REVIEW_ROLES


def _png(data: bytes) -> Response:
    return Response(data, mimetype="image/png", headers={"Cache-Control": "no-store"})


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


def _application(application_id: int) -> SealApplication:
    application = services.get_application(application_id, by=current_user)
    if application is None:
        abort(404)
    return application


def _refused(exc: SealError) -> None:
    """A refused step answered by a redirect: it changes nothing, and the page says why."""
    discard()
    flash(exc.message, "error")


def _back(application_id: int) -> BaseResponse:
    return redirect(url_for("seal.application", application_id=application_id), 303)


def _optional_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None


def _selected_terminal_id(terminals: list[Any]) -> int | None:
    chosen = session.get("seal_terminal_id")
    ids = [t.id for t in terminals]
    return chosen if chosen in ids else (ids[0] if ids else None)


def _chosen_terminal() -> Any:
    terminal = scans.scanner_terminal(request.form.get("terminal_id", type=integer))
    session["seal_terminal_id"] = terminal.id
    return terminal


# --- applications -------------------------------------------------------------------------------

@bp.route("/")
@roles(*STAFF)
def index() -> str:
    return render_template("seal/index.html", applications=services.open_applications(by=current_user),
                           closed=services.recently_closed(by=current_user),
                           at_counter=services.works_at_counter(current_user))


def _case_from(case_id: int | None) -> Any:
    """The counter case the page was opened from; a case that cannot take an application is
    said so and dropped (the application is then opened on its own)."""
    if case_id is None:
        return None
    try:
        return services.case_for_application(case_id, by=current_user)
    except SealError as exc:
        flash(exc.message, "warning")
        return None


def _chosen_applicant(resident_id: int | None, form: ApplicationForm) -> PersonRecord | None:
    if resident_id is None:
        return None
    try:
        return services.read_applicant(resident_id, "印鑑登録申請の受付", by=current_user)
    except SealError as exc:
        show_refusal(form, exc, fallback="resident_id")
        return None


def _applicant_search(search: ResidentSearchForm) -> tuple[list[PersonRecord], bool]:
    """The registry search of the page (the same search as the registry's pages)."""
    if not search.validate():
        return [], False
    criteria = input_from(search, SearchCriteria, address="", limit=30)
    if criteria.is_empty():
        return [], False
    return registry.search(criteria, "印鑑登録申請の申請者検索", by=current_user), True


@bp.route("/applications/new", methods=["GET", "POST"])
@roles(*COUNTER)
def new_application() -> BaseResponse | tuple[str, int]:
    """Pick the applicant from the registry, then receive the application. The search results
    are a fragment of this page."""
    case = _case_from(_optional_id(request.values.get("case_id")))
    resident_id = _optional_id(request.values.get("resident_id"))
    case_id = case.id if case else None
    form = ApplicationForm(resident_id=resident_id, case_id=case_id)
    if form.validate_on_submit() and resident_id is not None:
        try:
            application = services.open_registration(
                input_from(form, services.RegistrationInput, resident_id=resident_id, case_id=case_id),
                today=today(), by=current_user)
        except SealError as exc:
            show_refusal(form, exc, fallback="resident_id")
        else:
            flash(f"印鑑登録申請を受け付けました（受付番号{application.id}）。印影を読み取ってください。", "success")
            return _back(application.id)
    search = ResidentSearchForm(request.args)
    searching = request.method == "GET" and resident_id is None and bool(request.args)
    people, searched = _applicant_search(search) if searching else ([], False)
    fragment = wants_fragment("resident-rows")
    person = None if fragment else _chosen_applicant(resident_id, form)
    template = "seal/_residents.html" if fragment else "seal/application_new.html"
    return render_template(template, form=form, search=search, people=people, searched=searched, person=person,
                           case=case), 422 if form.errors or search.errors else 200


@bp.route("/applications/<int:application_id>")
@roles(*STAFF)
def application(application_id: int) -> str:
    return _application_page(application_id)


def _application_page(application_id: int, scan: scans.ScanStatus | None = None) -> str:
    item = _application(application_id)
    terminals = scans.scanner_terminals()
    confirm = ConfirmForm(data={"confirm_name": item.confirm_name, "confirm_not_rubber": item.confirm_not_rubber,
                                "confirm_no_title": item.confirm_no_title})
    return render_template(
        "seal/application.html", item=item, can=services.steps_for(item, current_user),
        at_counter=services.works_at_counter(current_user), terminals=terminals,
        terminal_id=_selected_terminal_id(terminals), upload=UploadForm(), confirm=confirm, reply=ReplyForm(),
        return_form=ReturnForm(), missing=services.ready_for_review(item),
        scan=scan, scan_urls=_application_scan_urls(item.id, scan.job_id) if scan else {})


@bp.route("/applications/<int:application_id>/image.png")
@roles(*STAFF)
def application_image(application_id: int) -> Response:
    item = _application(application_id)
    if item.image_png is None:
        abort(404)
    return _png(item.image_png)


@bp.route("/applications/<int:application_id>/scan", methods=["POST"])
@roles(*COUNTER)
def scan(application_id: int) -> BaseResponse:
    """スキャナで読み取る: queue the scan and answer at once; the scan's page polls it."""
    item = _application(application_id)
    try:
        job = scans.start_application_scan(item, _chosen_terminal(), by=current_user)
    except SealError as exc:
        _refused(exc)
        return _back(application_id)
    return redirect(url_for("seal.application_scan", application_id=item.id, job_id=job.id,
                            _anchor="impression"), 303)


def _scan_job(job_id: int, **target: int) -> DeviceJob:
    job = scans.scan_job(job_id, by=current_user, **target)
    if job is None:
        abort(404)
    return job


def _application_scan_urls(application_id: int, job_id: int) -> dict[str, str]:
    ids = {"application_id": application_id, "job_id": job_id}
    return {"poll": url_for("seal.application_scan", **ids), "take": url_for("seal.take_application_scan", **ids),
            "cancel": url_for("seal.give_up_application_scan", **ids),
            "done": url_for("seal.application", application_id=application_id)}


def _scan_fragment(status: scans.ScanStatus, urls: dict[str, str]) -> str:
    return render_template("seal/_scan_status.html", scan=status, scan_urls=urls)


@bp.route("/applications/<int:application_id>/scan/<int:job_id>")
@roles(*COUNTER)
def application_scan(application_id: int, job_id: int) -> str:
    """One scan for an application: its page, or (polled every second) its state alone.
    Reads only: the image is taken, and a scan given up, by the POSTs below."""
    status = scans.scan_status(_scan_job(job_id, application_id=application_id))
    if wants_fragment():
        return _scan_fragment(status, _application_scan_urls(application_id, job_id))
    return _application_page(application_id, scan=status)


@bp.route("/applications/<int:application_id>/scan/<int:job_id>", methods=["POST"])
@roles(*COUNTER)
def take_application_scan(application_id: int, job_id: int) -> BaseResponse:
    """The scan has finished: check the impression and keep it on the application."""
    item = _application(application_id)
    job = _scan_job(job_id, application_id=item.id)
    try:
        result = scans.attach_scan(item, job, by=current_user)
    except SealError as exc:
        keep_changes()  # the image has left the job row, and must stay so (the service undid the rest)
        flash(exc.message, "error")
    else:
        _flash_check(item, result)
    return _back(application_id)


@bp.route("/applications/<int:application_id>/scan/<int:job_id>/cancel", methods=["POST"])
@roles(*COUNTER)
def give_up_application_scan(application_id: int, job_id: int) -> BaseResponse | str:
    status = scans.give_up_scan(_scan_job(job_id, application_id=application_id), by=current_user)
    if wants_fragment():
        return _scan_fragment(status, _application_scan_urls(application_id, job_id))
    return redirect(url_for("seal.application_scan", application_id=application_id, job_id=job_id,
                            _anchor="impression"), 303)


def _flash_check(item: SealApplication, result: imaging.CheckResult) -> None:
    if item.check_ok:
        flash(f"印影を読み取りました：{result.side_mm:.1f}mm、登録できる印影です。目視確認をしてください。", "success")
    else:
        reasons = " ".join((item.check_result or {}).get("reasons", []))
        flash(f"この印影は登録できません：{reasons}", "error")


@bp.route("/applications/<int:application_id>/upload", methods=["POST"])
@roles(*COUNTER)
def upload(application_id: int) -> BaseResponse:
    item = _application(application_id)
    form = UploadForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
        return _back(application_id)
    try:
        image, dpi = scans.image_from_upload(form.image.data, form.dpi.data)
        result = services.attach_impression(item, image, dpi, "画像ファイル", by=current_user)
    except SealError as exc:
        _refused(exc)
    else:
        _flash_check(item, result)
    return _back(application_id)


def _step(application_id: int, act: Callable[[SealApplication], object], done: Callable[[SealApplication], str]
          ) -> BaseResponse:
    """One step of the counter on an application, answered with the application's page."""
    item = _application(application_id)
    try:
        act(item)
    except SealError as exc:
        _refused(exc)
    else:
        flash(done(item), "success")
    return _back(application_id)


@bp.route("/applications/<int:application_id>/confirm", methods=["POST"])
@roles(*COUNTER)
def confirm(application_id: int) -> BaseResponse:
    seen = input_from(ConfirmForm(), services.Confirmation)
    return _step(application_id, lambda item: services.confirm(item, seen, by=current_user),
                 lambda _: "目視確認を保存しました。")


@bp.route("/applications/<int:application_id>/inquiry", methods=["POST"])
@roles(*COUNTER)
def send_inquiry(application_id: int) -> BaseResponse:
    return _step(application_id, lambda item: services.send_inquiry(item, today=today(), by=current_user),
                 lambda item: f"照会書を作成しました。印刷して住所地へ郵送してください（回答期限 "
                              f"{item.reply_deadline}）。")


@bp.route("/applications/<int:application_id>/review-request", methods=["POST"])
@roles(*COUNTER)
def request_review(application_id: int) -> BaseResponse:
    return _step(application_id, lambda item: services.request_review(item, by=current_user),
                 lambda _: "市職員へ審査を依頼しました。")


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles(*COUNTER)
def withdraw(application_id: int) -> BaseResponse:
    return _step(application_id, lambda item: services.withdraw(item, by=current_user),
                 lambda _: "申請を取り下げました。")


@bp.route("/applications/<int:application_id>/inquiry.pdf")
@roles(*COUNTER)
def inquiry_pdf(application_id: int) -> Response:
    item = _application(application_id)
    try:
        return _pdf(services.inquiry_letter(item, by=current_user), f"inquiry-{item.id}.pdf")
    except SealError:
        abort(404)


@bp.route("/applications/<int:application_id>/reply", methods=["POST"])
@roles(*COUNTER)
def reply(application_id: int) -> BaseResponse:
    item = _application(application_id)
    try:
        services.record_reply(item, input_from(ReplyForm(), services.ReplyInput), today=today(), by=current_user)
    except services.InquiryExpired as exc:
        flash(exc.message, "error")  # the application has closed itself: that is kept
    except SealError as exc:
        _refused(exc)
    else:
        flash("回答書を受理しました。印影を確認して審査を依頼してください。", "success")
    return _back(application_id)


# --- city review (000 §7(2)) --------------------------------------------------------------------

@bp.route("/reviews")
@roles(*REVIEW)
def reviews() -> str:
    return render_template("seal/reviews.html", applications=services.awaiting_review(by=current_user))


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@roles(*REVIEW)
def approve(application_id: int) -> BaseResponse:
    item = _application(application_id)
    try:
        record = services.approve(item, today=today(), by=current_user)
    except SealError as exc:
        _refused(exc)
        return _back(application_id)
    if item.is_registration:
        flash(f"承認しました。印鑑登録番号（印鑑登録証）{record.card_number}", "success")
    else:
        flash(f"承認しました（{item.kind.label}）。印鑑登録証は無効になりました。", "success")
    return redirect(url_for("seal.reviews"), 303)


@bp.route("/applications/<int:application_id>/return", methods=["POST"])
@roles(*REVIEW)
def return_for_correction(application_id: int) -> BaseResponse:
    item = _application(application_id)
    try:
        services.return_for_correction(item, input_from(ReturnForm(), services.ReturnInput), by=current_user)
    except SealError as exc:
        _refused(exc)
        return _back(application_id)
    flash("差し戻しました。", "success")
    return redirect(url_for("seal.reviews"), 303)


# --- seal records (印鑑登録原票) -----------------------------------------------------------------

@bp.route("/records")
@roles(*STAFF)
def records() -> str:
    query = request.args.get("q", "")
    case = _case_from(_optional_id(request.args.get("case_id")))
    return render_template("seal/records.html", records=services.search_records(query, by=current_user), q=query,
                           case=case)


def _record(record_id: int) -> SealRecord:
    record = services.get_record(record_id, by=current_user)
    if record is None:
        abort(404)
    return record


def _record_page(item: SealRecord, form: AbolitionForm, status: int = 200, case: Any = None) -> tuple[str, int]:
    return render_template("seal/record.html", item=item, form=form, case=case,
                           can_abolish=services.can_open_abolition(item, current_user),
                           applications=services.applications_for_record(item.id)), status


@bp.route("/records/<int:record_id>")
@roles(*STAFF)
def record(record_id: int) -> tuple[str, int]:
    case = _case_from(_optional_id(request.args.get("case_id")))
    return _record_page(_record(record_id), AbolitionForm(formdata=None, case_id=case.id if case else None), case=case)


@bp.route("/records/<int:record_id>/abolition", methods=["POST"])
@roles(*COUNTER)
def abolition(record_id: int) -> BaseResponse | tuple[str, int]:
    item = _record(record_id)
    form = AbolitionForm()
    case_id = _optional_id(form.case_id.data)
    if form.validate_on_submit():
        try:
            application = services.open_abolition(
                item, input_from(form, services.AbolitionInput, case_id=case_id), by=current_user)
        except SealError as exc:
            show_refusal(form, exc, fallback="kind")
        else:
            flash(f"{application.kind.label}を受け付け、市職員へ審査を依頼しました（受付番号{application.id}）。",
                  "success")
            return redirect(url_for("seal.record", record_id=item.id), 303)
    return _record_page(item, form, 422, case=_case_from(case_id))


@bp.route("/records/<int:record_id>/image.png")
@roles(*STAFF)
def record_image(record_id: int) -> Response:
    return _png(_record(record_id).image_png)


# --- certificates -------------------------------------------------------------------------------

@bp.route("/certificates/new", methods=["GET", "POST"])
@roles(*COUNTER)
def new_certificate() -> BaseResponse | tuple[str, int]:
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            certificate = certificates.issue_certificate(input_from(form, certificates.CertificateInput),
                                                         today=today(), by=current_user)
        except SealError as exc:
            show_refusal(form, exc, fallback="card_number")
        else:
            flash(f"印鑑登録証明書を作成しました（{certificate.copies}通、手数料{certificate.amount}円は会計へ）。",
                  "success")
            return redirect(url_for("seal.certificate", certificate_id=certificate.id), 303)
    return render_template("seal/certificate_new.html", form=form), (422 if form.errors else 200)


def _certificate(certificate_id: int) -> SealCertificate:
    certificate = certificates.get_certificate(certificate_id, by=current_user)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/certificates/<int:certificate_id>")
@roles(*COUNTER)
def certificate(certificate_id: int) -> str:
    item = _certificate(certificate_id)
    bill = certificates.certificate_bill(item)
    return render_template("seal/certificate.html", item=item, bill=bill, fee_waits=certificates.fee_waits(bill),
                           fee_label=certificates.fee_label(item, today()))


@bp.route("/certificates/<int:certificate_id>.pdf")
@roles(*COUNTER)
def certificate_pdf(certificate_id: int) -> Response:
    item = _certificate(certificate_id)
    return _pdf(certificates.certificate_pdf(item, by=current_user), f"seal-certificate-{item.id}.pdf")


# --- 印影照合 ------------------------------------------------------------------------------------

@bp.route("/compare", methods=["GET", "POST"])
@roles(*STAFF)
def compare() -> BaseResponse | tuple[str, int]:
    form = CompareForm()
    terminals = scans.scanner_terminals()
    if not form.validate_on_submit():
        return _compare_page(form, terminals)
    try:
        item = services.record_to_compare(form.card_number.data)
        if request.form.get("source") == "scanner":
            job = scans.start_compare_scan(item, _chosen_terminal(), by=current_user)
            return redirect(url_for("seal.compare_scan", job_id=job.id), 303)
        image, dpi = scans.image_from_upload(form.image.data, form.dpi.data)
        result = services.compare_with_record(item, image, dpi, by=current_user)
    except SealError as exc:
        show_refusal(form, exc, fallback="image")
        return _compare_page(form, terminals)
    return _compare_page(form, terminals, result=result, item=item)


def _compare_page(form: CompareForm, terminals: list[Any], *, result: imaging.MatchResult | None = None,
                  item: SealRecord | None = None, scan: scans.ScanStatus | None = None) -> tuple[str, int]:
    images = None
    if result is not None:
        images = {name: "data:image/png;base64," + base64.b64encode(data).decode()
                  for name, data in (("overlay", result.overlay_png), ("difference", result.difference_png))}
    return render_template("seal/compare.html", form=form, terminals=terminals,
                           terminal_id=_selected_terminal_id(terminals), result=result, item=item,
                           images=images, scan=scan, scan_urls=_compare_scan_urls(scan.job_id) if scan else {}
                           ), (422 if form.errors else 200)


def _compare_scan_urls(job_id: int) -> dict[str, str]:
    return {"poll": url_for("seal.compare_scan", job_id=job_id),
            "take": url_for("seal.take_compare_scan", job_id=job_id),
            "cancel": url_for("seal.give_up_compare_scan", job_id=job_id), "done": url_for("seal.compare")}


def _compare_job(job_id: int) -> DeviceJob:
    job = scans.compare_scan_job(job_id, by=current_user)
    if job is None:
        abort(404)
    return job


@bp.route("/compare/scan/<int:job_id>")
@roles(*STAFF)
def compare_scan(job_id: int) -> str | tuple[str, int]:
    """A scan for 印影照合: the comparison page waiting for it, or (polled) its state alone."""
    status = scans.scan_status(_compare_job(job_id))
    if wants_fragment():
        return _scan_fragment(status, _compare_scan_urls(job_id))
    return _compare_page(CompareForm(formdata=None), scans.scanner_terminals(), scan=status)


@bp.route("/compare/scan/<int:job_id>", methods=["POST"])
@roles(*STAFF)
def take_compare_scan(job_id: int) -> tuple[str, int]:
    """The scan has finished: compare it with the registered seal (shown, never stored)."""
    job = _compare_job(job_id)
    form = CompareForm(formdata=None)
    try:
        item = scans.compare_scan_record(job, by=current_user)
        form.card_number.data = item.card_number
        image, dpi = scans.take_scan(job)
        result = services.compare_with_record(item, image, dpi, by=current_user)
    except SealError as exc:
        keep_changes()  # the image has left the job row; that must stay so
        show_refusal(form, exc, fallback="image")
        return _compare_page(form, scans.scanner_terminals())
    return _compare_page(form, scans.scanner_terminals(), result=result, item=item)


@bp.route("/compare/scan/<int:job_id>/cancel", methods=["POST"])
@roles(*STAFF)
def give_up_compare_scan(job_id: int) -> BaseResponse | str:
    status = scans.give_up_scan(_compare_job(job_id), by=current_user)
    if wants_fragment():
        return _scan_fragment(status, _compare_scan_urls(job_id))
    return redirect(url_for("seal.compare_scan", job_id=job_id), 303)
