"""ふるさと納税: the import dashboard, imports and 取込調整, intake, donations, donors, suspects,
search, totals and export. Views parse input, call a service and render; the request commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any, cast

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles, serves
from app.auth.models import Programme, User
from app.core.dates import fiscal_year, today
from app.core.refusal import Refusal
from app.extensions import db
from app.furusato import (
    certificate_numbers,
    donors,
    export_requests,
    exports,
    imports,
    payments,
    returns,
    search,
    services,
    status,
    transfer_matching,
    uses,
    worklist,
)
from app.furusato.calls import timeline
from app.furusato.forms import (
    CancelForm,
    CatalogForm,
    ClearForm,
    ContactForm,
    CorrectionForm,
    DismissForm,
    DonationForm,
    ExportForm,
    MergeForm,
    PaymentForm,
    RefundForm,
    ReverseForm,
    SearchForm,
    SettingsForm,
    SuspectFilterForm,
    UploadForm,
    WaitForm,
)
from app.furusato.models import CatalogRequest, Donation, DonorMerge, ImportBatch, SuspectFlag
from app.furusato.profiles import FIELDS, IGNORE, VOCABULARIES, effective_profile
from app.tasks import services as tasks
from app.tasks.models import TaskState
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem

bp = serves(Blueprint("furusato", __name__, url_prefix="/furusato"), Programme.furusato)
# 004: donation operators (operator) do the work; supervisors also see analytics and exports;
# the city may see progress and totals and take CSV (004 §7(3)エ).
STAFF = ("operator", "supervisor")
ANALYSTS = ("operator", "supervisor", "city_staff")
SETTINGS = ("supervisor", "admin")
NAV = (
    NavItem("取込状況", "furusato.dashboard", "ふるさと納税"),
    NavItem("ポータル取込", "furusato.imports_page", "ふるさと納税"),
    NavItem("寄附受付（電話・FAX・窓口）", "furusato.intake", "ふるさと納税"),
    NavItem("寄附の検索・出力", "furusato.donations", "ふるさと納税"),
    NavItem("集計", "furusato.totals", "ふるさと納税"),
    NavItem("入金照合（振込・振替）", "furusato.transfers_page", "ふるさと納税"),
    NavItem("疑義データ", "furusato.suspects", "ふるさと納税"),
    NavItem("受領証明書の発送期限", "furusato.certificates_due", "ふるさと納税"),
    NavItem("受領証明書の印刷バッチ", "furusato.certificate_batches", "ふるさと納税"),
    NavItem("郵便物の戻り", "furusato.returns_page", "ふるさと納税"),
    NavItem("返礼品", "furusato.gift_list", "ふるさと納税"),
    NavItem("返礼品提供事業者", "furusato.suppliers", "ふるさと納税"),
    NavItem("返礼品の出荷", "furusato.shipping", "ふるさと納税"),
    NavItem("ワンストップ特例申請", "furusato.onestop_list", "ふるさと納税"),
    NavItem("寄附者の名寄せ", "furusato.matches", "ふるさと納税"),
    NavItem("カタログ送付希望", "furusato.catalog", "ふるさと納税"),
    NavItem("個人情報の出力申請", "furusato.export_requests", "ふるさと納税"),
    NavItem("寄附の使い道", "furusato.uses", "ふるさと納税"),
    NavItem("コールセンター（問い合わせ）", "furusato.inquiries", "ふるさと納税"),
    NavItem("分析", "furusato.analytics", "ふるさと納税"),
    NavItem("業務報告書", "furusato.reports", "ふるさと納税"),
    NavItem("精算・請求", "furusato.settlement", "ふるさと納税"),
    NavItem("戦略会議", "furusato.meetings", "ふるさと納税"),
    NavItem("保存期間と廃棄", "furusato.retention", "ふるさと納税"),
    NavItem("ふるさと納税の設定", "furusato.settings", "ふるさと納税"),
    NavItem("お礼状・封筒の設定", "furusato.letter_settings_page", "ふるさと納税"),
)


def _by() -> User:
    """The signed-in user (every page here requires one), as the services' actor."""
    return cast(User, current_user._get_current_object())  # type: ignore[attr-defined]


# Pages that show no donation data, or none of a batch being applied: the dashboard (its
# suspect count leaves that batch out), the imports, a batch with its progress, the steps that
# queue an import. Every other page of the office waits while a batch is being applied.
_SHOWN_DURING_APPLY = {"furusato.dashboard", "furusato.imports_page", "furusato.upload", "furusato.batch",
                       "furusato.mapping", "furusato.accept_good_rows", "furusato.resume"}
HOLD_SECONDS = 5.0


@bp.before_request
def _hold_while_applying() -> tuple[str, int, dict[str, str]] | None:
    """Nobody sees half a file: on SQLite a batch is applied in several commits (see imports).
    After a short wait the page says so (503) and opens itself again by the refresh in its
    <head>. A boosted link gets neither from a swap (htmx swaps no 5xx, and a boosted swap
    leaves <head> out), so it is sent to load the page whole: this is not a page-or-fragment
    choice, which is why it is not page_or_fragment."""
    if request.endpoint in _SHOWN_DURING_APPLY:
        return None
    batch_id = imports.hold_while_applying(HOLD_SECONDS)
    if batch_id is None:
        return None
    if request.htmx and request.htmx.boosted:
        return "", 200, {"HX-Redirect": request.full_path}
    return render_template("furusato/applying.html", batch_id=batch_id, **_running()), 503, {"Retry-After": "3"}


def _running() -> dict[str, Any]:
    """What templates/tasks/_running.html needs: the donation office's 実行中の処理."""
    return {"tasks": tasks.active("furusato"), "programme": "furusato", "progress_of": tasks.progress_of}


# --- dashboard and imports -----------------------------------------------------------------

@bp.route("/")
@roles(*ANALYSTS)
def dashboard() -> str:
    """The next-office-day rule at a glance (004 §7(2)エ)."""
    return render_template(
        "furusato/dashboard.html", deadlines=services.import_deadlines(today()), today=today(),
        open_suspects=services.open_suspect_count(without_batch=imports.applying_batch()),
        recent=imports.recent_batches(10), open_transfers=transfer_matching.open_total(), **_running())


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.portal.choices = choices((p.code, p.name) for p in services.import_portals())
    return form


def _imports_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/imports.html", form=form, batches=imports.recent_batches(50),
                           max_mb=imports.MAX_UPLOAD_BYTES // (1024 * 1024), **_running()), status


@bp.route("/imports")
@roles(*STAFF)
def imports_page() -> tuple[str, int]:
    return _imports_page(_upload_form())


def take_upload(form: Any, page: Callable[[Any, int], tuple[str, int]], start: Callable[..., Any],
                data: type, batch_page: Callable[[Any], str]) -> BaseResponse | tuple[str, int]:
    """An upload page's POST (a portal file, a transfer file): the form checked, the file read
    (one byte past the limit, so that the service refuses it), `start` called with the form as
    its `data` input; a refusal is shown on the form as typed, else 303 to the batch's page."""
    if not form.validate_on_submit():
        return page(form, 422)
    content = form.file.data.read(imports.MAX_UPLOAD_BYTES + 1)
    try:
        batch = start(input_from(form, data, filename=form.file.data.filename, content=content), by=_by())
    except Refusal as exc:
        show_refusal(form, exc, fallback="file")
        return page(form, 422)
    return redirect(batch_page(batch), 303)


@bp.route("/imports", methods=["POST"])
@roles(*STAFF)
def upload() -> BaseResponse | tuple[str, int]:
    return take_upload(_upload_form(), _imports_page, services.start_import, services.UploadInput,
                       lambda batch: url_for("furusato.batch", batch_id=batch.id))


@bp.route("/imports/<int:batch_id>")
@roles(*STAFF)
def batch(batch_id: int) -> str:
    """A batch: its live progress while its task runs, then its summary with every error by row."""
    found = db.get_or_404(ImportBatch, batch_id)
    task = imports.task_of(found)
    issues = imports.batch_issues(found, limit=1000)
    columns, values = services.unknown_items(found)
    progress = progress_context(task) if task is not None else {}
    return render_template("furusato/batch.html", batch=found, issues=issues, unknown_columns=columns,
                           unknown_values=values, form=FlaskForm(), can_resume=imports.can_resume(found, task),
                           task_failed=task is not None and task.status is TaskState.failed, **progress)


@bp.route("/imports/<int:batch_id>/resume", methods=["POST"])
@roles(*STAFF)
def resume(batch_id: int) -> BaseResponse:
    """反映を再開: a batch whose task ended before the batch did (it goes on where it stopped)."""
    found = db.get_or_404(ImportBatch, batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        imports.resume(found, by=_by())
    except imports.ImportRefused as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash("取込を再開しました。", "success")
    return redirect(url_for("furusato.batch", batch_id=found.id), 303)


@bp.route("/imports/<int:batch_id>/mapping", methods=["GET", "POST"])
@roles(*STAFF)
def mapping(batch_id: int) -> str | BaseResponse | tuple[str, int]:
    """取込調整: map the batch's unknown columns and values, then run the same file again."""
    found = db.get_or_404(ImportBatch, batch_id)
    columns, values = services.unknown_items(found)
    form = FlaskForm()
    errors: dict[str, str] = {}
    chosen = {k: v for k, v in request.form.items() if k.startswith(("col:", "val:"))}
    if request.method == "POST" and form.validate_on_submit():
        column_map = {c: chosen.get(f"col:{c}", "") for c in columns}
        value_map = {(vocab, value): chosen.get(f"val:{vocab}:{value}", "") for _, vocab, value in values}
        try:
            new_batch = services.adjust_and_rerun(found, column_map, value_map, by=_by())
        except Refusal as exc:
            # The mapping's fields are drawn by the template from the batch, not by a form
            # class: each problem goes to the field it names, the file's to "file".
            errors = {problem.field or "file": problem.message for problem in exc.problems}
        else:
            flash("取込設定を保存し、同じファイルの再実行を受け付けました。", "success")
            return redirect(url_for("furusato.batch", batch_id=new_batch.id), 303)
    profile = effective_profile(found.portal)
    samples = imports.column_samples(found, profile, columns, by=_by())
    return render_template(
        "furusato/mapping.html", batch=found, form=form, unknown_columns=columns, unknown_values=values,
        samples=samples,
        fields=[(k, v) for k, v in FIELDS.items()], ignore=IGNORE, vocabularies=VOCABULARIES, errors=errors,
        chosen=chosen, profile=profile, adjustments=services.adjustments_of(found.portal),
    ), 422 if errors else 200


@bp.route("/imports/<int:batch_id>/accept", methods=["POST"])
@roles(*STAFF)
def accept_good_rows(batch_id: int) -> BaseResponse:
    """The operator's explicit choice to take the good rows of a file with errors."""
    found = db.get_or_404(ImportBatch, batch_id)
    try:
        new_batch = services.take_good_rows(found, by=_by())
    except Refusal as exc:
        transaction.discard()
        flash(exc.message, "error")
        return redirect(url_for("furusato.batch", batch_id=found.id), 303)
    flash(f"誤りのある{found.error_count}件を除き、正常な行だけを取り込みます。", "success")
    return redirect(url_for("furusato.batch", batch_id=new_batch.id), 303)


# --- intake --------------------------------------------------------------------------------

def _gift_choices() -> list[Any]:
    return choices([("", "返礼品なし"), *((g.code, f"{g.code} {g.name}（{g.amount:,}円）")
                                      for g in services.active_gifts())])


@bp.route("/intake", methods=["GET", "POST"])
@roles(*STAFF)
def intake() -> str | BaseResponse | tuple[str, int]:
    """電話・FAX・窓口による寄附受付及び入力 (004 §7(1)ア)."""
    form = DonationForm()
    form.gift_code.choices = _gift_choices()
    if request.method == "GET" and not form.applied_on.data:
        form.applied_on.data = today()
    offered = uses.names_for(form.applied_on.data or today())
    form.use.choices = choices([("", "指定なし"), *((n, n) for n in offered)])
    if form.validate_on_submit():
        try:
            donation = services.create_direct_donation(input_from(form, services.DonationInput), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash(f"寄附を登録しました（{donation.order_id}）。", "success")
            return redirect(url_for("furusato.donation", donation_id=donation.id), 303)
    return render_template("furusato/intake.html", form=form), 422 if form.errors else 200


# --- donations: search, detail, correction, export -----------------------------------------

def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    return form


def search_filter(form: SearchForm) -> search.DonationFilter:
    """The search a form describes (also the scope of an export request: export_views)."""
    flt = input_from(form, search.DonationFilter)
    return replace(flt, gift=flt.gift.strip(), text=flt.text.strip())


@bp.route("/donations")
@roles(*ANALYSTS)
def donations() -> str | tuple[str, int]:
    form = _search_form()
    if request.args and not form.validate():
        return render_template("furusato/donations.html", form=form, result=None, export=ExportForm(request.args)), 422
    result = search.search(search_filter(form), page_number(), by=_by())
    return page_or_fragment("furusato/donations.html", "furusato/_donation_rows.html", form=form,
                            result=result, export=ExportForm(request.args), inline_rows=exports.INLINE_ROWS,
                            approval_rows=export_requests.approval_rows(),
                            query={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/exports", methods=["POST"])
@roles(*ANALYSTS)
def export() -> BaseResponse:
    """CSV of any search (004 §7(3)エ): sent at once when small, else made in the background."""
    form = SearchForm(request.form)
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    export_form = ExportForm(request.form)
    if not form.validate() or not export_form.validate():
        abort(400)
    flt = search_filter(form)
    try:
        started = exports.start(flt, export_form.export_encoding.data, by=_by())
    except exports.ApprovalNeeded as exc:  # 000 別紙 §8(2): the request form, with this search
        flash(exc.message, "info")
        carried = {k: v for k, v in request.form.items() if k != "csrf_token" and v}
        return redirect(url_for("furusato.new_export_request", **carried), 303)
    except exports.ExportError:
        abort(400)
    if started.task is not None:
        return redirect(url_for("furusato.export_page", task_id=started.task.id), 303)
    encoding = export_form.export_encoding.data
    body = (data for _, data in search.export_pages(flt, encoding))
    return _csv_response(stream_with_context(body), encoding, f"furusato-donations-{today():%Y%m%d}.csv")


def _charset(encoding: str) -> str:
    return "utf-8" if encoding == "utf-8-sig" else "shift_jis"


def _csv_response(body: Any, encoding: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}",
        "Content-Type": f"text/csv; charset={_charset(encoding)}", "Cache-Control": "no-store"})


def _export_task(task_id: int) -> Any:
    task = exports.export_task(task_id)
    if task is None:
        abort(404)
    return task


@bp.route("/exports/<int:task_id>")
@roles(*ANALYSTS)
def export_page(task_id: int) -> str:
    task = _export_task(task_id)
    return render_template("furusato/export.html", **progress_context(task), conditions=exports.conditions(task),
                           ready=task.status is TaskState.done)


@bp.route("/exports/<int:task_id>/download")
@roles(*ANALYSTS)
def export_download(task_id: int) -> Response:
    task = _export_task(task_id)
    try:
        path, filename = exports.download(task, by=_by())
    except exports.ExportError as exc:
        abort(404, exc.message)
    response = send_file(path, mimetype=f"text/csv; charset={_charset(task.params.get('encoding', ''))}",
                         as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/donations/<int:donation_id>")
@roles(*STAFF)
def donation(donation_id: int) -> str:
    found = services.read_donation(donation_id, by=_by())
    if found is None:
        abort(404)
    return donation_page(found)


def payment_form_of(found: Donation) -> PaymentForm:
    """The payment form as the page first shows it: the current payment, or the donation's amount."""
    current = payments.current_payment(found)
    return PaymentForm(obj=current, formdata=None) if current else PaymentForm(
        formdata=None, amount=found.amount, method=found.payment_method or "")


def money_context(found: Donation, payment_form: PaymentForm | None = None, message: str = "",
                  **forms: FlaskForm) -> dict[str, Any]:
    """What the donation's 入金・状態 section (_money.html) shows: payments, the status history,
    the forms (as given, refused ones with their input and errors; the others empty)."""
    blank: dict[str, FlaskForm] = {"wait": WaitForm(prefix="wait", formdata=None),
                                   "cancel": CancelForm(prefix="cancel", formdata=None),
                                   "refund": RefundForm(prefix="refund", formdata=None),
                                   "reverse": ReverseForm(prefix="reverse", formdata=None)}
    by, paid, events = _by(), payments.history(found), status.history(found)
    return {"donation": found, "payments": paid, "current": payments.current_payment(found),
            "payment_form": payment_form or payment_form_of(found), "events": events,
            "status_forms": {**blank, **forms}, "message": message,
            "can": {"pay": payments.can_record(found), "wait": status.can_wait(found),
                    "cancel": status.can_cancel(found), "refund": status.can_refund(found, by),
                    "reverse": status.can_reverse(found, by)},
            "voided": status.voided_certificate_ids(found)}


def donation_page(found: Donation, payment_form: PaymentForm | None = None, **forms: FlaskForm) -> str:
    """The donation's page with its flags, corrections, payments and status history (and the
    forms of its 入金・状態 section as given)."""
    return render_template("furusato/donation.html", flags=services.flags_of(found),
                           corrections=services.corrections_of(found), use_listed=uses.in_list(found),
                           certificates=certificate_numbers.of_donation(found),
                           batch_of=certificate_numbers.batch_id_of, **money_context(found, payment_form, **forms))


@bp.route("/donations/<int:donation_id>/correct", methods=["GET", "POST"])
@roles(*STAFF)
def correct(donation_id: int) -> str | BaseResponse | tuple[str, int]:
    """修正登録 (004 §7(1)イ): who, when and why for every field changed."""
    found = services.read_donation(donation_id, by=_by(), purpose="修正登録の画面")
    if found is None:
        abort(404)
    form = CorrectionForm(obj=found) if request.method == "GET" else CorrectionForm()
    form.gift_code.choices = _gift_choices()
    if form.validate_on_submit():
        try:
            services.correct_donation(found, input_from(form, services.CorrectionInput), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash("修正を登録しました。", "success")
            return redirect(url_for("furusato.donation", donation_id=found.id), 303)
    return render_template("furusato/correct.html", form=form, donation=found), 422 if form.errors else 200


# --- donors --------------------------------------------------------------------------------

@bp.route("/donors/<int:donor_id>")
@roles(*STAFF)
def donor(donor_id: int) -> str:
    found = donors.read(donor_id, by=_by())
    if found is None:
        abort(404)
    return render_template("furusato/donor.html", donor=found, donations=donors.donations_of(found),
                           merges=donors.merges_of(found), returned=returns.of_donor(found), form=FlaskForm(),
                           timeline=timeline.timeline(found.id))


@bp.route("/donors/matches")
@roles(*STAFF)
def matches() -> str:
    return render_template("furusato/matches.html", candidates=donors.read_matches(by=_by()), form=MergeForm())


@bp.route("/donors/merge", methods=["POST"])
@roles(*STAFF)
def merge() -> BaseResponse | tuple[str, int]:
    form = MergeForm()
    if form.validate_on_submit():
        data = input_from(form, donors.MergeInput)
        target, source = donors.get(data.target), donors.get(data.source)
        if target is None or source is None:
            abort(404)
        try:
            donors.merge(target, source, data.reason, _by())
        except donors.DonorError as exc:
            show_refusal(form, exc, fallback="target")
        else:
            flash(f"寄附者#{source.id}を#{target.id}に統合しました。", "success")
            return redirect(url_for("furusato.donor", donor_id=target.id), 303)
    return render_template("furusato/matches.html", candidates=donors.read_matches(by=_by()), form=form), 422


@bp.route("/donors/dismiss", methods=["POST"])
@roles(*STAFF)
def dismiss() -> BaseResponse:
    form = DismissForm()
    if not form.validate_on_submit():
        abort(400)
    a, b = donors.get(form.a.data), donors.get(form.b.data)
    if a is None or b is None:
        abort(404)
    donors.dismiss(a, b, _by())
    flash(f"寄附者#{a.id}と#{b.id}を別人として記録しました。", "success")
    return redirect(url_for("furusato.matches"), 303)


@bp.route("/donors/merges/<int:merge_id>/undo", methods=["POST"])
@roles(*STAFF)
def unmerge(merge_id: int) -> BaseResponse:
    record = db.get_or_404(DonorMerge, merge_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        donors.unmerge(record, _by())
    except donors.DonorError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash(f"寄附者#{record.source_id}の統合を解除しました。", "success")
    return redirect(url_for("furusato.donor", donor_id=record.target_id), 303)


# --- suspects ------------------------------------------------------------------------------

@bp.route("/suspects")
@roles(*STAFF)
def suspects() -> str:
    form = SuspectFilterForm(request.args)
    result = worklist.suspect_list(input_from(form, worklist.SuspectFilter),
                                   page_number(), by=_by())
    return render_template("furusato/suspects.html", form=form, result=result,
                           query={k: v for k, v in request.args.items() if k != "page"})


@bp.route("/suspects/<int:flag_id>", methods=["GET", "POST"])
@roles(*STAFF)
def suspect(flag_id: int) -> str | BaseResponse | tuple[str, int]:
    flag = db.get_or_404(SuspectFlag, flag_id)
    contact, clear = ContactForm(prefix="contact"), ClearForm(prefix="clear")
    if request.method == "POST":
        action = request.form.get("action")
        form: FlaskForm = contact if action == "contact" else clear
        if form.validate_on_submit():
            try:
                if action == "contact":
                    services.record_contact(flag, input_from(contact, services.ContactInput), _by())
                    message = "連絡の結果を記録しました。"
                else:
                    services.clear_flag(flag, input_from(clear, services.ClearInput), _by())
                    message = "疑義を解消しました。"
            except services.FurusatoError as exc:
                show_refusal(form, exc)
            else:
                flash(message, "success")
                return redirect(url_for("furusato.suspect", flag_id=flag.id), 303)
    services.read_flag(flag, by=_by())
    status = 422 if contact.errors or clear.errors else 200
    return render_template("furusato/suspect.html", flag=flag, contact=contact, clear=clear), status


# --- totals --------------------------------------------------------------------------------

@bp.route("/totals")
@roles(*ANALYSTS)
def totals() -> str | tuple[str, int]:
    """月別・ポータル別の集計とグラフ (004 §7(3)ウ)."""
    form = _search_form()
    if request.args and not form.validate():
        return render_template("furusato/totals.html", form=form, rows=[], table=[], chart="", portals=[],
                               total=None), 422
    flt = search_filter(form)
    if not request.args:
        start = date(fiscal_year(today()), 4, 1)
        flt = search.DonationFilter(date_from=start)
        form.date_from.data = start
    rows = search.totals(flt)
    portals = services.portals()
    months = sorted({r.month for r in rows})
    table = []
    for month in months:
        cells = {p.id: next(((r.count, r.amount) for r in rows if r.month == month and r.portal_id == p.id), (0, 0))
                 for p in portals}
        table.append((month, cells, sum(c for c, _ in cells.values()), sum(a for _, a in cells.values())))
    return render_template("furusato/totals.html", form=form, rows=rows, table=table, portals=portals,
                           chart=search.chart_svg(rows, portals), total=search.total(flt))


# --- catalogue requests and settings -------------------------------------------------------

@bp.route("/catalog", methods=["GET", "POST"])
@roles(*STAFF)
def catalog() -> str | BaseResponse | tuple[str, int]:
    form = CatalogForm()
    if form.validate_on_submit():
        try:
            services.add_catalog_request(input_from(form, services.CatalogInput), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash("カタログ送付希望を登録しました。", "success")
            return redirect(url_for("furusato.catalog"), 303)
    requests_, pending = services.catalog_requests(200, by=_by())
    return render_template("furusato/catalog.html", form=form, requests=requests_, pending=pending,
                           sent_form=FlaskForm()), 422 if form.errors else 200


@bp.route("/catalog/<int:request_id>/sent", methods=["POST"])
@roles(*STAFF)
def catalog_sent(request_id: int) -> BaseResponse:
    found = db.get_or_404(CatalogRequest, request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.mark_catalog_sent(found, today(), by=_by())
    flash(f"{found.name}様へのカタログ送付を記録しました。", "success")
    return redirect(url_for("furusato.catalog"), 303)


@bp.route("/settings", methods=["GET", "POST"])
@roles(*SETTINGS)
def settings() -> str | BaseResponse | tuple[str, int]:
    current = services.get_settings()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            services.save_area(input_from(form, services.AreaInput), _by())
        except services.FurusatoError as exc:
            show_refusal(form, exc)
        else:
            flash("ふるさと納税の設定を保存しました。", "success")
            return redirect(url_for("furusato.settings"), 303)
    return render_template("furusato/settings.html", form=form, portals=services.portals()), (
        422 if form.errors else 200)


# The export requests' pages are registered on this blueprint by their own module.
from app.furusato import (  # noqa: E402,F401
    certificate_batch_views,
    certificate_views,
    export_views,
    letter_views,
    payment_views,
    returns_views,
    transfer_views,
    uses_views,
)
from app.furusato.calls import views as calls_views  # noqa: E402,F401
from app.furusato.gifts import views as gift_views  # noqa: E402,F401
from app.furusato.onestop import views as onestop_views  # noqa: E402,F401
from app.furusato.reports import views as reports_views  # noqa: E402,F401
from app.furusato.retention import views as retention_views  # noqa: E402,F401
from app.furusato.settlement import views as settlement_views  # noqa: E402,F401
from app.furusato.shipping import views as shipping_views  # noqa: E402,F401
