"""ふるさと納税: the import dashboard, imports and 取込調整, intake, donations, donors, suspects,
search, totals and export. Views parse input, call a service and render; the request commits."""

from __future__ import annotations

from datetime import date
from typing import Any

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
from sqlalchemy import func, select
from werkzeug.wrappers import Response as BaseResponse

from app.auth import audit
from app.auth.access import roles
from app.core.dates import today
from app.extensions import db
from app.furusato import donors, exports, imports, search, services
from app.furusato.forms import (
    CatalogForm,
    ClearForm,
    ContactForm,
    CorrectionForm,
    DismissForm,
    DonationForm,
    ExportForm,
    MergeForm,
    SearchForm,
    SettingsForm,
    SuspectFilterForm,
    UploadForm,
)
from app.furusato.models import (
    CatalogRequest,
    Donation,
    Donor,
    DonorMerge,
    Gift,
    ImportBatch,
    ImportIssue,
    SuspectFlag,
)
from app.furusato.profiles import FIELDS, IGNORE, VOCABULARIES, effective_profile
from app.tasks import services as tasks
from app.tasks.services import progress_context
from app.web.forms import choices
from app.web.htmx import wants_fragment
from app.web.nav_item import NavItem

bp = Blueprint("furusato", __name__, url_prefix="/furusato")
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
    NavItem("疑義データ", "furusato.suspects", "ふるさと納税"),
    NavItem("寄附者の名寄せ", "furusato.matches", "ふるさと納税"),
    NavItem("カタログ送付希望", "furusato.catalog", "ふるさと納税"),
    NavItem("ふるさと納税の設定", "furusato.settings", "ふるさと納税"),
)


def _username() -> str:
    return current_user.username if current_user.is_authenticated else ""


# Pages that show no donation data, or none of a batch being applied: the dashboard (its
# suspect count leaves that batch out), the imports, a batch with its progress, the steps that
# queue an import. Every other page of the office waits while a batch is being applied.
_SHOWN_DURING_APPLY = {"furusato.dashboard", "furusato.imports_page", "furusato.upload", "furusato.batch",
                       "furusato.mapping", "furusato.accept_good_rows", "furusato.resume"}
HOLD_SECONDS = 5.0


@bp.before_request
def _hold_while_applying() -> tuple[str, int, dict[str, str]] | None:
    """Nobody sees half a file: on SQLite a batch is applied in several commits (see imports).
    After a short wait the page says so and opens itself again; a boosted link (which htmx
    would not swap in from an error) loads it as a whole page to do that."""
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


def _errors_to(form: FlaskForm, exc: services.FurusatoError | donors.DonorError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    if target is None:
        target = next(iter(form), None)
    if target is not None:
        target.errors = [*target.errors, exc.message]


# --- dashboard and imports -----------------------------------------------------------------

@bp.route("/")
@roles(*ANALYSTS)
def dashboard() -> str:
    """The next-office-day rule at a glance (004 §7(2)エ)."""
    return render_template(
        "furusato/dashboard.html", deadlines=services.import_deadlines(today()), today=today(),
        open_suspects=services.open_suspect_count(without_batch=imports.applying_batch()),
        recent=db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(10)).all(), **_running())


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.portal.choices = choices((p.code, p.name) for p in services.import_portals())
    return form


def _imports_page(form: UploadForm, status: int = 200) -> tuple[str, int]:
    batches = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(50)).all()
    return render_template("furusato/imports.html", form=form, batches=batches,
                           max_mb=imports.MAX_UPLOAD_BYTES // (1024 * 1024), **_running()), status


@bp.route("/imports")
@roles(*STAFF)
def imports_page() -> tuple[str, int]:
    return _imports_page(_upload_form())


@bp.route("/imports", methods=["POST"])
@roles(*STAFF)
def upload() -> BaseResponse | tuple[str, int]:
    form = _upload_form()
    if not form.validate_on_submit():
        return _imports_page(form, 422)
    portal = services.portal_by_code(form.portal.data or "")
    if portal is None or portal.kind != "portal":
        form.portal.errors = ["ポータルを選んでください。"]
        return _imports_page(form, 422)
    content = form.file.data.read(imports.MAX_UPLOAD_BYTES + 1)
    try:
        stored = imports.store_upload(form.file.data.filename or "upload.csv", content, _username())
    except imports.ImportRefused as exc:
        form.file.errors = [str(exc)]
        return _imports_page(form, 422)
    batch = imports.create_batch(portal, stored.filename, import_file=stored, encoding=form.encoding.data or None,
                                 username=_username())
    imports.queue(batch, by=current_user)
    audit.record("create", "furusato_import_batch", batch.id, f"{portal.name} {stored.filename} 取込を受付")
    return redirect(url_for("furusato.batch", batch_id=batch.id), 303)


@bp.route("/imports/<int:batch_id>")
@roles(*STAFF)
def batch(batch_id: int) -> str:
    """A batch: its live progress while its task runs, then its summary with every error by row."""
    found = db.get_or_404(ImportBatch, batch_id)
    task = imports.task_of(found)
    issues = db.session.scalars(select(ImportIssue).where(ImportIssue.batch_id == found.id)
                                .order_by(ImportIssue.row, ImportIssue.id).limit(1000)).all()
    columns, values = services.unknown_items(found)
    progress = progress_context(task) if task is not None else {}
    return render_template("furusato/batch.html", batch=found, issues=issues, unknown_columns=columns,
                           unknown_values=values, form=FlaskForm(), can_resume=imports.can_resume(found, task),
                           **progress)


@bp.route("/imports/<int:batch_id>/resume", methods=["POST"])
@roles(*STAFF)
def resume(batch_id: int) -> BaseResponse:
    """反映を再開: a batch whose task ended before the batch did (it goes on where it stopped)."""
    found = db.get_or_404(ImportBatch, batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        imports.resume(found, by=current_user)
    except imports.ImportRefused as exc:
        flash(exc.message, "error")
    else:
        audit.record("update", "furusato_import_batch", found.id, "取込の再開")
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
            services.save_adjustments(found.portal, column_map, value_map, _username())
            new_batch = imports.rerun(found, accept_good_rows=False, username=_username())
        except services.FurusatoError as exc:
            errors[exc.field] = exc.message
        except imports.ImportRefused as exc:
            errors["file"] = exc.message
        else:
            imports.queue(new_batch, by=current_user)
            audit.record("create", "furusato_import_batch", new_batch.id,
                         f"取込調整の後に再実行（元の取込 #{found.id}）")
            flash("取込設定を保存し、同じファイルの再実行を受け付けました。", "success")
            return redirect(url_for("furusato.batch", batch_id=new_batch.id), 303)
    profile = effective_profile(found.portal)
    return render_template(
        "furusato/mapping.html", batch=found, form=form, unknown_columns=columns, unknown_values=values,
        fields=[(k, v) for k, v in FIELDS.items()], ignore=IGNORE, vocabularies=VOCABULARIES, errors=errors,
        chosen=chosen, profile=profile, adjustments=services.adjustments_of(found.portal),
    ), 422 if errors else 200


@bp.route("/imports/<int:batch_id>/accept", methods=["POST"])
@roles(*STAFF)
def accept_good_rows(batch_id: int) -> BaseResponse:
    """The operator's explicit choice to take the good rows of a file with errors."""
    found = db.get_or_404(ImportBatch, batch_id)
    try:
        new_batch = imports.rerun(found, accept_good_rows=True, username=_username())
    except imports.ImportRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("furusato.batch", batch_id=found.id), 303)
    imports.queue(new_batch, by=current_user)
    audit.record("create", "furusato_import_batch", new_batch.id, f"正常な行だけ取込（元の取込 #{found.id}）")
    flash(f"誤りのある{found.error_count}件を除き、正常な行だけを取り込みます。", "success")
    return redirect(url_for("furusato.batch", batch_id=new_batch.id), 303)


# --- intake --------------------------------------------------------------------------------

def _gift_choices() -> list[Any]:
    gifts = db.session.scalars(select(Gift).where(Gift.active.is_(True)).order_by(Gift.code)).all()
    return choices([("", "返礼品なし"), *((g.code, f"{g.code} {g.name}（{g.amount:,}円）") for g in gifts)])


def _donation_input(form: DonationForm) -> services.DonationInput:
    return services.DonationInput(
        channel=form.channel.data or "", applied_on=form.applied_on.data, amount=form.amount.data,
        payment_method=form.payment_method.data or "", status=form.status.data or "", paid_on=form.paid_on.data,
        gift_code=form.gift_code.data or "", quantity=form.quantity.data, one_stop=bool(form.one_stop.data),
        receipt_wish=bool(form.receipt_wish.data), name=form.name.data or "", kana=form.kana.data or "",
        birth_date=form.birth_date.data, phone=form.phone.data or "", email=form.email.data or "",
        postal_code=form.postal_code.data or "", address=form.address.data or "", notes=form.notes.data or "")


@bp.route("/intake", methods=["GET", "POST"])
@roles(*STAFF)
def intake() -> str | BaseResponse | tuple[str, int]:
    """電話・FAX・窓口による寄附受付及び入力 (004 §7(1)ア)."""
    form = DonationForm()
    form.gift_code.choices = _gift_choices()
    if request.method == "GET" and not form.applied_on.data:
        form.applied_on.data = today()
    if form.validate_on_submit():
        try:
            donation = services.create_direct_donation(_donation_input(form), _username())
        except services.FurusatoError as exc:
            _errors_to(form, exc)
        else:
            flash(f"寄附を登録しました（{donation.order_id}）。", "success")
            return redirect(url_for("furusato.donation", donation_id=donation.id), 303)
    return render_template("furusato/intake.html", form=form), 422 if form.errors else 200


# --- donations: search, detail, correction, export -----------------------------------------

def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    return form


def _filter(form: SearchForm) -> search.DonationFilter:
    return search.DonationFilter(
        date_from=form.date_from.data, date_to=form.date_to.data, portal=form.portal.data or "",
        gift=(form.gift.data or "").strip(), prefecture=form.prefecture.data or "",
        amount_band=form.amount_band.data or "", status=form.status.data or "", one_stop=form.one_stop.data or "",
        text=(form.text.data or "").strip())


@bp.route("/donations")
@roles(*ANALYSTS)
def donations() -> str | tuple[str, int]:
    form = _search_form()
    if request.args and not form.validate():
        return render_template("furusato/donations.html", form=form, result=None, export=ExportForm(request.args)), 422
    result = search.search(_filter(form), request.args.get("page", 1, type=int) or 1)
    template = "furusato/_donation_rows.html" if wants_fragment() else "furusato/donations.html"
    return render_template(template, form=form, result=result, export=ExportForm(request.args),
                           query={k: v for k, v in request.args.items() if k != "page"},
                           inline_rows=exports.INLINE_ROWS)


@bp.route("/exports", methods=["POST"])
@roles(*ANALYSTS)
def export() -> BaseResponse:
    """CSV of any search (004 §7(3)エ): sent at once when small, else made in the background."""
    form = SearchForm(request.form)
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    export_form = ExportForm(request.form)
    if not form.validate() or not export_form.validate():
        abort(400)
    flt = _filter(form)
    try:
        started = exports.start(flt, export_form.export_encoding.data or "utf-8-sig", by=current_user)
    except exports.ExportError:
        abort(400)
    if started.task is not None:
        return redirect(url_for("furusato.export_page", task_id=started.task.id), 303)
    encoding = export_form.export_encoding.data or "utf-8-sig"
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
    return render_template("furusato/export.html", **progress_context(task), conditions=exports.conditions(task))


@bp.route("/exports/<int:task_id>/download")
@roles(*ANALYSTS)
def export_download(task_id: int) -> Response:
    task = _export_task(task_id)
    try:
        path, filename = exports.download(task, by=current_user)
    except exports.ExportError as exc:
        abort(404, exc.message)
    response = send_file(path, mimetype=f"text/csv; charset={_charset(task.params.get('encoding', ''))}",
                         as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/donations/<int:donation_id>")
@roles(*STAFF)
def donation(donation_id: int) -> str:
    found = services.read_donation(donation_id)
    if found is None:
        abort(404)
    flags = db.session.scalars(select(SuspectFlag).where(SuspectFlag.donation_id == found.id)
                               .order_by(SuspectFlag.id)).all()
    return render_template("furusato/donation.html", donation=found, flags=flags,
                           corrections=services.corrections_of(found))


@bp.route("/donations/<int:donation_id>/correct", methods=["GET", "POST"])
@roles(*STAFF)
def correct(donation_id: int) -> str | BaseResponse | tuple[str, int]:
    """修正登録 (004 §7(1)イ): who, when and why for every field changed."""
    found = db.get_or_404(Donation, donation_id)
    form = CorrectionForm(obj=found) if request.method == "GET" else CorrectionForm()
    form.gift_code.choices = _gift_choices()
    if form.validate_on_submit():
        changes = {name: getattr(form, name).data for name in services.CORRECTABLE}
        changes = {k: ("" if v is None and k not in ("birth_date", "quantity") else v) for k, v in changes.items()}
        try:
            services.correct_donation(found, changes, form.reason.data or "", form.channel.data or "",
                                      form.source.data or "", _username())
        except services.FurusatoError as exc:
            _errors_to(form, exc)
        else:
            flash("修正を登録しました。", "success")
            return redirect(url_for("furusato.donation", donation_id=found.id), 303)
    return render_template("furusato/correct.html", form=form, donation=found), 422 if form.errors else 200


# --- donors --------------------------------------------------------------------------------

@bp.route("/donors/<int:donor_id>")
@roles(*STAFF)
def donor(donor_id: int) -> str:
    found = donors.read(donor_id)
    if found is None:
        abort(404)
    return render_template("furusato/donor.html", donor=found, donations=donors.donations_of(found),
                           merges=donors.merges_of(found), form=FlaskForm())


@bp.route("/donors/matches")
@roles(*STAFF)
def matches() -> str:
    return render_template("furusato/matches.html", candidates=donors.likely_matches(), form=MergeForm())


@bp.route("/donors/merge", methods=["POST"])
@roles(*STAFF)
def merge() -> BaseResponse | tuple[str, int]:
    form = MergeForm()
    if form.validate_on_submit():
        target, source = db.session.get(Donor, form.target.data), db.session.get(Donor, form.source.data)
        if target is None or source is None:
            abort(404)
        try:
            donors.merge(target, source, form.reason.data or "", _username())
        except donors.DonorError as exc:
            _errors_to(form, exc)
        else:
            flash(f"寄附者#{source.id}を#{target.id}に統合しました。", "success")
            return redirect(url_for("furusato.donor", donor_id=target.id), 303)
    return render_template("furusato/matches.html", candidates=donors.likely_matches(), form=form), 422


@bp.route("/donors/dismiss", methods=["POST"])
@roles(*STAFF)
def dismiss() -> BaseResponse:
    form = DismissForm()
    if not form.validate_on_submit():
        abort(400)
    a, b = db.session.get(Donor, form.a.data), db.session.get(Donor, form.b.data)
    if a is None or b is None:
        abort(404)
    donors.dismiss(a, b, _username())
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
        donors.unmerge(record, _username())
    except donors.DonorError as exc:
        flash(exc.message, "error")
    else:
        flash(f"寄附者#{record.source_id}の統合を解除しました。", "success")
    return redirect(url_for("furusato.donor", donor_id=record.target_id), 303)


# --- suspects ------------------------------------------------------------------------------

@bp.route("/suspects")
@roles(*STAFF)
def suspects() -> str:
    form = SuspectFilterForm(request.args)
    status = form.status.data if form.status.data in ("open", "cleared", "") else "open"
    flags = services.suspect_list(status if "status" in request.args else "open", form.reason.data or "")
    return render_template("furusato/suspects.html", form=form, flags=flags)


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
                    services.record_contact(flag, contact.method.data or "", contact.result.data or "", _username())
                    message = "連絡の結果を記録しました。"
                else:
                    services.clear_flag(flag, clear.note.data or "", _username())
                    message = "疑義を解消しました。"
            except services.FurusatoError as exc:
                _errors_to(form, exc)
            else:
                flash(message, "success")
                return redirect(url_for("furusato.suspect", flag_id=flag.id), 303)
    audit.record("read", "furusato_donation", flag.donation_id, f"疑義 #{flag.id}")
    status = 422 if contact.errors or clear.errors else 200
    return render_template("furusato/suspect.html", flag=flag, contact=contact, clear=clear), status


# --- totals --------------------------------------------------------------------------------

@bp.route("/totals")
@roles(*ANALYSTS)
def totals() -> str | tuple[str, int]:
    """月別・ポータル別の集計とグラフ (004 §7(3)ウ)."""
    form = _search_form()
    if request.args and not form.validate():
        return render_template("furusato/totals.html", form=form, rows=[], table=[], chart="", portals=[]), 422
    flt = _filter(form)
    if not request.args:
        start = date(today().year if today().month >= 4 else today().year - 1, 4, 1)
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
                           chart=search.chart_svg(rows, portals))


# --- catalogue requests and settings -------------------------------------------------------

@bp.route("/catalog", methods=["GET", "POST"])
@roles(*STAFF)
def catalog() -> str | BaseResponse | tuple[str, int]:
    form = CatalogForm()
    if form.validate_on_submit():
        try:
            services.add_catalog_request(form.name.data or "", form.kana.data or "", form.postal_code.data or "",
                                         form.address.data or "", form.phone.data or "", form.channel.data or "",
                                         form.note.data or "", _username())
        except services.FurusatoError as exc:
            _errors_to(form, exc)
        else:
            flash("カタログ送付希望を登録しました。", "success")
            return redirect(url_for("furusato.catalog"), 303)
    requests_ = db.session.scalars(select(CatalogRequest).order_by(
        CatalogRequest.sent_on.is_not(None), CatalogRequest.requested_on.desc()).limit(200)).all()
    pending = db.session.scalar(select(func.count()).select_from(CatalogRequest)
                                .where(CatalogRequest.sent_on.is_(None))) or 0
    return render_template("furusato/catalog.html", form=form, requests=requests_, pending=pending,
                           sent_form=FlaskForm()), 422 if form.errors else 200


@bp.route("/catalog/<int:request_id>/sent", methods=["POST"])
@roles(*STAFF)
def catalog_sent(request_id: int) -> BaseResponse:
    found = db.get_or_404(CatalogRequest, request_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    services.mark_catalog_sent(found, today())
    flash(f"{found.name}様へのカタログ送付を記録しました。", "success")
    return redirect(url_for("furusato.catalog"), 303)


@bp.route("/settings", methods=["GET", "POST"])
@roles(*SETTINGS)
def settings() -> str | BaseResponse | tuple[str, int]:
    current = services.get_settings()
    form = SettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            services.save_settings(form.home_prefecture.data or "", form.home_city.data or "",
                                   form.home_postal_prefixes.data or "", _username())
        except services.FurusatoError as exc:
            _errors_to(form, exc)
        else:
            flash("ふるさと納税の設定を保存しました。", "success")
            return redirect(url_for("furusato.settings"), 303)
    return render_template("furusato/settings.html", form=form, portals=services.portals()), (
        422 if form.errors else 200)
