"""印鑑登録 pages: applications at the counter, city review, seal records, certificates and
the seal comparison tool. Views parse input, call app/seal/services.py and render."""

from __future__ import annotations

import base64
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import today
from app.devices.models import DeviceJob
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import PersonRecord, SearchCriteria
from app.registry.forms import ResidentSearchForm
from app.seal import imaging, services
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
from app.web.htmx import wants_fragment
from app.web.nav_item import NavItem
from app.web.transaction import keep_changes

bp = Blueprint("seal", __name__, url_prefix="/seal")
NAV = (
    NavItem("印鑑登録", "seal.index", "窓口業務"),
    NavItem("印鑑登録 審査", "seal.reviews", "窓口業務"),
    NavItem("印鑑登録証明書", "seal.new_certificate", "窓口業務"),
    NavItem("印鑑登録原票", "seal.records", "窓口業務"),
    NavItem("印影照合", "seal.compare", "窓口業務"),
)
COUNTER = ("operator", "supervisor")
STAFF = ("operator", "supervisor", "city_staff")
REVIEW = ("city_staff",)
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def _png(data: bytes) -> Response:
    return Response(data, mimetype="image/png", headers={"Cache-Control": "no-store"})


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


def _application(application_id: int) -> SealApplication:
    application = services.get_application(application_id)
    if application is None:
        abort(404)
    return application


def _refused(exc: SealError) -> None:
    """Undo what the step did, then say why (a redirect commits, so roll back first)."""
    db.session.rollback()
    services.expire_overdue(today())
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


# --- applications -------------------------------------------------------------------------------

@bp.route("/")
@roles(*STAFF)
def index() -> str:
    return render_template("seal/index.html", applications=services.list_applications(),
                           closed=services.list_applications(("approved", "expired", "withdrawn"), limit=20))


def _case_from(case_id: int | None) -> Any:
    """The counter case the page was opened from; a case that cannot take an application is
    said so and dropped (the application is then opened on its own)."""
    if case_id is None:
        return None
    try:
        return services.case_for_application(case_id)
    except SealError as exc:
        flash(exc.message, "warning")
        return None


def _chosen_applicant(resident_id: int | None, form: ApplicationForm) -> PersonRecord | None:
    if resident_id is None:
        return None
    try:
        return services.read_applicant(resident_id, "印鑑登録申請の受付")
    except SealError as exc:
        form.resident_id.errors = [*form.resident_id.errors, exc.message]  # type: ignore[list-item]
        return None


@bp.route("/applications/new", methods=["GET", "POST"])
@roles(*COUNTER)
def new_application() -> Response | BaseResponse:
    """Pick the applicant from the registry (the same search as the registry's pages), then
    receive the application. The search results are a fragment of this page."""
    case = _case_from(_optional_id(request.values.get("case_id")))
    resident_id = _optional_id(request.values.get("resident_id"))
    form = ApplicationForm(resident_id=resident_id, case_id=case.id if case else None)
    if form.validate_on_submit() and resident_id is not None:
        try:
            application = services.open_registration(
                resident_id, applicant_kind=form.applicant_kind.data or "", identity_path=form.identity_path.data or "",
                id_document=form.id_document.data or "", proxy_name=form.proxy_name.data or "", today=today(),
                user_id=current_user.id, case_id=case.id if case else None)
        except SealError as exc:
            getattr(form, exc.field, form.resident_id).errors.append(exc.message)  # type: ignore[union-attr]
        else:
            flash(f"印鑑登録申請を受け付けました（受付番号{application.id}）。印影を読み取ってください。", "success")
            return _back(application.id)
    search = ResidentSearchForm(request.args)
    people: list[PersonRecord] = []
    searched = False
    if request.method == "GET" and resident_id is None and request.args and search.validate():
        criteria = SearchCriteria(kana=search.kana.data or "", name=search.name.data or "",
                                  birth_date=search.birth_date.data, limit=30)
        searched = not criteria.is_empty()
        people = registry.search(criteria, "印鑑登録申請の申請者検索") if searched else []
    fragment = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "resident-rows"
    person = None if fragment else _chosen_applicant(resident_id, form)
    template = "seal/_residents.html" if fragment else "seal/application_new.html"
    response = make_response(render_template(template, form=form, search=search, people=people, searched=searched,
                                             person=person, case=case),
                             422 if form.errors or search.errors else 200)
    response.headers["Vary"] = "HX-Request"
    return response


@bp.app_template_global()
def seal_applications_for_case(case_id: int) -> list[SealApplication]:
    """For the counter's case page: the seal applications opened from the case."""
    return services.applications_for_case(case_id)


@bp.route("/applications/<int:application_id>")
@roles(*STAFF)
def application(application_id: int) -> str:
    return _application_page(application_id)


def _application_page(application_id: int, scan: services.ScanStatus | None = None) -> str:
    item = _application(application_id)
    terminals = services.scanner_terminals()
    confirm = ConfirmForm(data={"confirm_name": item.confirm_name, "confirm_not_rubber": item.confirm_not_rubber,
                                "confirm_no_title": item.confirm_no_title})
    return render_template(
        "seal/application.html", item=item, terminals=terminals, terminal_id=_selected_terminal_id(terminals),
        upload=UploadForm(), confirm=confirm, reply=ReplyForm(), return_form=ReturnForm(),
        missing=services.ready_for_review(item) if item.kind == "registration" else [],
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
    terminal = next((t for t in services.scanner_terminals()
                     if t.id == request.form.get("terminal_id", type=int)), None)
    if terminal is None:
        flash("スキャナのある端末を選んでください。", "error")
        return _back(application_id)
    session["seal_terminal_id"] = terminal.id
    try:
        job = services.start_application_scan(item, terminal, current_user)
    except SealError as exc:
        _refused(exc)
        return _back(application_id)
    return redirect(url_for("seal.application_scan", application_id=item.id, job_id=job.id,
                            _anchor="impression"), 303)


def _scan_job(job_id: int, **target: int) -> DeviceJob:
    job = services.scan_job(job_id, current_user, **target)
    if job is None:
        abort(404)
    return job


def _application_scan_urls(application_id: int, job_id: int) -> dict[str, str]:
    ids = {"application_id": application_id, "job_id": job_id}
    return {"poll": url_for("seal.application_scan", **ids), "take": url_for("seal.take_application_scan", **ids),
            "cancel": url_for("seal.give_up_application_scan", **ids),
            "done": url_for("seal.application", application_id=application_id)}


def _scan_fragment(status: services.ScanStatus, urls: dict[str, str]) -> tuple[str, int, dict[str, str]]:
    return render_template("seal/_scan_status.html", scan=status, scan_urls=urls), 200, {"Vary": "HX-Request"}


@bp.route("/applications/<int:application_id>/scan/<int:job_id>")
@roles(*COUNTER)
def application_scan(application_id: int, job_id: int) -> str | tuple[str, int, dict[str, str]]:
    """One scan for an application: its page, or (polled every second) its state alone.
    Reads only: the image is taken, and a scan given up, by the POSTs below."""
    status = services.scan_status(_scan_job(job_id, application_id=application_id))
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
        image, dpi = services.take_scan(job)
        result = services.attach_impression(item, image, dpi, f"スキャナ {job.terminal.code}")
    except SealError as exc:
        _refused(exc)
        services.discard_scan(job)  # the image leaves the job row all the same
    else:
        _flash_check(item, result)
    return _back(application_id)


@bp.route("/applications/<int:application_id>/scan/<int:job_id>/cancel", methods=["POST"])
@roles(*COUNTER)
def give_up_application_scan(application_id: int, job_id: int) -> BaseResponse | tuple[str, int, dict[str, str]]:
    status = services.give_up_scan(_scan_job(job_id, application_id=application_id), current_user)
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
    data = form.image.data.read(MAX_IMAGE_BYTES + 1)
    try:
        if len(data) > MAX_IMAGE_BYTES:
            raise SealError("画像が大きすぎます（20MBまで）。")
        try:
            image = imaging.load_image(data)
        except ValueError as exc:
            raise SealError(str(exc)) from exc
        result = services.attach_impression(item, image, form.dpi.data or 600, "画像ファイル")
    except SealError as exc:
        _refused(exc)
    else:
        _flash_check(item, result)
    return _back(application_id)


@bp.route("/applications/<int:application_id>/confirm", methods=["POST"])
@roles(*COUNTER)
def confirm(application_id: int) -> BaseResponse:
    item = _application(application_id)
    form = ConfirmForm()
    try:
        services.confirm(item, name=bool(form.confirm_name.data), not_rubber=bool(form.confirm_not_rubber.data),
                         no_title=bool(form.confirm_no_title.data))
    except SealError as exc:
        _refused(exc)
    else:
        flash("目視確認を保存しました。", "success")
    return _back(application_id)


def _step(application_id: int, step: str) -> BaseResponse:
    item = _application(application_id)
    try:
        if step == "inquiry":
            services.send_inquiry(item, today())
            flash(f"照会書を作成しました。印刷して住所地へ郵送してください（回答期限 {item.reply_deadline}）。",
                  "success")
        elif step == "review":
            services.request_review(item)
            flash("市職員へ審査を依頼しました。", "success")
        elif step == "withdraw":
            services.withdraw(item)
            flash("申請を取り下げました。", "success")
    except SealError as exc:
        _refused(exc)
    return _back(application_id)


@bp.route("/applications/<int:application_id>/inquiry", methods=["POST"])
@roles(*COUNTER)
def send_inquiry(application_id: int) -> BaseResponse:
    return _step(application_id, "inquiry")


@bp.route("/applications/<int:application_id>/review-request", methods=["POST"])
@roles(*COUNTER)
def request_review(application_id: int) -> BaseResponse:
    return _step(application_id, "review")


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@roles(*COUNTER)
def withdraw(application_id: int) -> BaseResponse:
    return _step(application_id, "withdraw")


@bp.route("/applications/<int:application_id>/inquiry.pdf")
@roles(*COUNTER)
def inquiry_pdf(application_id: int) -> Response:
    item = _application(application_id)
    try:
        return _pdf(services.inquiry_letter(item), f"inquiry-{item.id}.pdf")
    except SealError:
        abort(404)


@bp.route("/applications/<int:application_id>/reply", methods=["POST"])
@roles(*COUNTER)
def reply(application_id: int) -> BaseResponse:
    item = _application(application_id)
    form = ReplyForm()
    try:
        services.record_reply(item, today(), form.id_document.data or "")
    except SealError as exc:
        _refused(exc)
    else:
        flash("回答書を受理しました。印影を確認して審査を依頼してください。", "success")
    return _back(application_id)


# --- city review (000 §7(2)) --------------------------------------------------------------------

@bp.route("/reviews")
@roles(*REVIEW)
def reviews() -> str:
    return render_template("seal/reviews.html", applications=services.list_applications(("review",)))


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
@roles(*REVIEW)
def approve(application_id: int) -> BaseResponse:
    item = _application(application_id)
    try:
        record = services.approve(item, current_user.id, today())
    except SealError as exc:
        _refused(exc)
        return _back(application_id)
    if item.kind == "registration" and record is not None:
        flash(f"承認しました。印鑑登録番号（印鑑登録証）{record.card_number}", "success")
    else:
        flash(f"承認しました（{item.kind_label}）。印鑑登録証は無効になりました。", "success")
    return redirect(url_for("seal.reviews"), 303)


@bp.route("/applications/<int:application_id>/return", methods=["POST"])
@roles(*REVIEW)
def return_for_correction(application_id: int) -> BaseResponse:
    item = _application(application_id)
    form = ReturnForm()
    try:
        services.return_for_correction(item, current_user.id, form.reason.data or "")
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
    return render_template("seal/records.html", records=services.search_records(query), q=query, case=case)


def _record(record_id: int) -> SealRecord:
    record = services.get_record(record_id)
    if record is None:
        abort(404)
    return record


def _record_page(item: SealRecord, form: AbolitionForm, status: int = 200, case: Any = None) -> tuple[str, int]:
    return render_template("seal/record.html", item=item, form=form, case=case,
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
                item, form.kind.data or "", applicant_kind=form.applicant_kind.data or "",
                proxy_name=form.proxy_name.data or "", id_document=form.id_document.data or "",
                user_id=current_user.id, case_id=case_id)
        except SealError as exc:
            getattr(form, exc.field, form.kind).errors.append(exc.message)  # type: ignore[union-attr]
        else:
            flash(f"{application.kind_label}を受け付け、市職員へ審査を依頼しました（受付番号{application.id}）。",
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
def new_certificate() -> str | BaseResponse | tuple[str, int]:
    form = CertificateForm()
    if form.validate_on_submit():
        try:
            certificate = services.issue_certificate(form.card_number.data or "", form.copies.data or 0,
                                                     today=today(), user_id=current_user.id)
        except SealError as exc:
            getattr(form, exc.field, form.card_number).errors.append(exc.message)  # type: ignore[union-attr]
        else:
            flash(f"印鑑登録証明書を作成しました（{certificate.copies}通、手数料{certificate.amount}円は会計へ）。",
                  "success")
            return redirect(url_for("seal.certificate", certificate_id=certificate.id), 303)
    return render_template("seal/certificate_new.html", form=form), (422 if form.errors else 200)


def _certificate(certificate_id: int) -> SealCertificate:
    certificate = services.get_certificate(certificate_id)
    if certificate is None:
        abort(404)
    return certificate


@bp.route("/certificates/<int:certificate_id>")
@roles(*COUNTER)
def certificate(certificate_id: int) -> str:
    item = _certificate(certificate_id)
    return render_template("seal/certificate.html", item=item, bill=services.certificate_bill(item))


@bp.route("/certificates/<int:certificate_id>.pdf")
@roles(*COUNTER)
def certificate_pdf(certificate_id: int) -> Response:
    item = _certificate(certificate_id)
    return _pdf(services.certificate_pdf(item), f"seal-certificate-{item.id}.pdf")


# --- 印影照合 ------------------------------------------------------------------------------------

@bp.route("/compare", methods=["GET", "POST"])
@roles(*STAFF)
def compare() -> BaseResponse | tuple[str, int]:
    form = CompareForm()
    terminals = services.scanner_terminals()
    if not form.validate_on_submit():
        return _compare_page(form, terminals)
    try:
        item = services.record_by_card(form.card_number.data or "")
        if item is None:
            raise SealError("この番号の印鑑登録はありません。", "card_number")
        if request.form.get("source") == "scanner":
            job = services.start_compare_scan(item, _scanner_terminal(terminals), current_user)
            return redirect(url_for("seal.compare_scan", job_id=job.id), 303)
        image, dpi = _uploaded(form)
        result = services.compare_with_record(item, image, dpi)
    except SealError as exc:
        db.session.rollback()
        getattr(form, exc.field, form.image).errors.append(exc.message)  # type: ignore[union-attr]
        return _compare_page(form, terminals)
    return _compare_page(form, terminals, result=result, item=item)


def _compare_page(form: CompareForm, terminals: list[Any], *, result: imaging.MatchResult | None = None,
                  item: SealRecord | None = None, scan: services.ScanStatus | None = None) -> tuple[str, int]:
    images = None
    if result is not None:
        images = {name: "data:image/png;base64," + base64.b64encode(data).decode()
                  for name, data in (("overlay", result.overlay_png), ("difference", result.difference_png))}
    return render_template("seal/compare.html", form=form, terminals=terminals,
                           terminal_id=_selected_terminal_id(terminals), result=result, item=item,
                           images=images, scan=scan, scan_urls=_compare_scan_urls(scan.job_id) if scan else {}
                           ), (422 if form.errors else 200)


def _scanner_terminal(terminals: list[Any]) -> Any:
    terminal = next((t for t in terminals if t.id == request.form.get("terminal_id", type=int)), None)
    if terminal is None:
        raise SealError("スキャナのある端末を選んでください。", "image")
    session["seal_terminal_id"] = terminal.id
    return terminal


def _uploaded(form: CompareForm) -> tuple[Any, int]:
    if not form.image.data:
        raise SealError("照合する印影の画像を選ぶか、スキャナで読み取ってください。", "image")
    data = form.image.data.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise SealError("画像が大きすぎます（20MBまで）。", "image")
    try:
        return imaging.load_image(data), form.dpi.data or 600
    except ValueError as exc:
        raise SealError(str(exc), "image") from exc


def _compare_scan_urls(job_id: int) -> dict[str, str]:
    return {"poll": url_for("seal.compare_scan", job_id=job_id),
            "take": url_for("seal.take_compare_scan", job_id=job_id),
            "cancel": url_for("seal.give_up_compare_scan", job_id=job_id), "done": url_for("seal.compare")}


def _compare_job(job_id: int) -> DeviceJob:
    job = services.compare_scan_job(job_id, current_user)
    if job is None:
        abort(404)
    return job


@bp.route("/compare/scan/<int:job_id>")
@roles(*STAFF)
def compare_scan(job_id: int) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    """A scan for 印影照合: the comparison page waiting for it, or (polled) its state alone."""
    status = services.scan_status(_compare_job(job_id))
    if wants_fragment():
        return _scan_fragment(status, _compare_scan_urls(job_id))
    return _compare_page(CompareForm(formdata=None), services.scanner_terminals(), scan=status)


@bp.route("/compare/scan/<int:job_id>", methods=["POST"])
@roles(*STAFF)
def take_compare_scan(job_id: int) -> tuple[str, int]:
    """The scan has finished: compare it with the registered seal (shown, never stored)."""
    job = _compare_job(job_id)
    form = CompareForm(formdata=None)
    try:
        item = services.compare_scan_record(job)
        form.card_number.data = item.card_number
        image, dpi = services.take_scan(job)
        result = services.compare_with_record(item, image, dpi)
    except SealError as exc:
        keep_changes()  # the image has left the job row; that must stay so
        form.image.errors = [exc.message]
        return _compare_page(form, services.scanner_terminals())
    return _compare_page(form, services.scanner_terminals(), result=result, item=item)


@bp.route("/compare/scan/<int:job_id>/cancel", methods=["POST"])
@roles(*STAFF)
def give_up_compare_scan(job_id: int) -> BaseResponse | tuple[str, int, dict[str, str]]:
    status = services.give_up_scan(_compare_job(job_id), current_user)
    if wants_fragment():
        return _scan_fragment(status, _compare_scan_urls(job_id))
    return redirect(url_for("seal.compare_scan", job_id=job_id), 303)
