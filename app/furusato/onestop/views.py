"""The one-stop pages (issue 17): the list by state with the counts and days left, intake of a
paper form, one application's review (checklist, deficient, corrected, accepted, changes,
withdrawal, the uncertain match, the number for a 事務取扱担当者), notices in bulk, and the eLTAX
files with their handover. The rules are in the onestop package; registered on the furusato
blueprint (app/furusato/views.py imports this module)."""

from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.core.dates import today
from app.extensions import db
from app.furusato.onestop import applications, documents, eltax, listing, notices, online, review, scans, vault
from app.furusato.onestop.forms import (
    ChangeForm,
    CorrectionForm,
    DeficientForm,
    EltaxForm,
    HandoverForm,
    IntakeForm,
    MatchForm,
    NoticeForm,
    OnlineImportForm,
    RevealForm,
    WithdrawForm,
)
from app.furusato.onestop.models import (
    ApplicationState,
    OneStopApplication,
    OneStopHandover,
    OneStopImage,
    OneStopOnlineFile,
)
from app.furusato.views import ANALYSTS, STAFF, _by, bp
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import choices, page_number, show_refusal

Refused = (applications.OneStopError, vault.NumberRefused)


def _ids(text: str | None) -> list[int]:
    return [int(x) for x in (text or "").replace("、", ",").split(",") if x.strip().isdigit()]


def default_year() -> int:
    return review.default_year()


def _year() -> int:
    return request.args.get("year", default_year(), type=int)


@bp.route("/onestop")
@roles(*ANALYSTS)
def onestop_list() -> str:
    year, state = _year(), request.args.get("state", "")
    result = listing.search(year, state, page_number(), by=_by())
    return render_template("furusato/onestop/list.html", result=result, year=year, state=state,
                           states=ApplicationState, counts=review.counts(year), notice_form=NoticeForm(formdata=None),
                           query={"year": year, "state": state}, can_edit=_by().role in STAFF,
                           followup=review.deficient_followup(year))


def _intake_page(form: IntakeForm, status: int = 200) -> tuple[str, int]:
    form.number.data = ""  # never sent back to the browser: typed again after a refusal
    return render_template("furusato/onestop/new.html", form=form, **scan_views.terminal_choice()), status


@bp.route("/onestop/new")
@roles(*STAFF)
def onestop_new() -> tuple[str, int]:
    return _intake_page(IntakeForm(formdata=None, tax_year=default_year(), received_on=today()))


@bp.route("/onestop/new", methods=["POST"])
@roles(*STAFF)
def onestop_receive() -> BaseResponse | tuple[str, int]:
    form = IntakeForm()
    if form.validate_on_submit():
        upload = form.image.data
        images = [(upload.mimetype, upload.read())] if upload and upload.filename else []
        data = applications.IntakeInput(
            tax_year=form.tax_year.data or default_year(), received_on=form.received_on.data or today(),
            name=form.name.data or "", kana=form.kana.data or "", birth_date=form.birth_date.data,
            gender=form.gender.data or "", postal_code=form.postal_code.data or "", address=form.address.data or "",
            phone=form.phone.data or "", email=form.email.data or "", number=form.number.data or "",
            documents=list(form.documents.data or []), declared_no_return=form.declared_no_return.data,
            declared_five_or_fewer=form.declared_five_or_fewer.data, form_complete=form.form_complete.data)
        try:  # スキャナで読み取る: received as typed, then its page read from the office's scanner
            terminal = scan_views.chosen_terminal() if "scan" in request.form else None
            application = applications.receive(data, by=_by(), images=images)
            job = scans.start_scan(application, terminal, by=_by()) if terminal else None
        except Refused as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc, fallback="image")
        else:
            flash(f"申請 #{application.id}（{application.name}様）を受け付けました：{application.match.label}。",
                  "success")
            if job is not None:
                return redirect(scan_views.scan_url(application, job), 303)
            return redirect(url_for("furusato.onestop_application", application_id=application.id), 303)
    return _intake_page(form, 422)


def _read(application_id: int) -> OneStopApplication:
    application = listing.read(application_id, by=_by())
    if application is None:
        abort(404)
    return application


def _page(application: OneStopApplication, status: int = 200, revealed: str = "", scan: scans.ScanStatus | None = None,
          **forms: object) -> tuple[str, int]:
    defaults = {"deficient_form": DeficientForm(formdata=None), "correction_form": CorrectionForm(formdata=None),
                "change_form": ChangeForm(formdata=None, received_on=today()),
                "withdraw_form": WithdrawForm(formdata=None, received_on=today()),
                "reveal_form": RevealForm(formdata=None), "match_form": MatchForm(formdata=None)}
    defaults.update(forms)
    candidates = applications.donations_of(application.donor_id, application.tax_year) if application.donor_id else []
    return render_template("furusato/onestop/application.html", a=application, checklist=review.checklist(application),
                           labels=documents.labels(), history=applications.history(application), revealed=revealed,
                           can_edit=_by().role in STAFF, is_handler=_by().number_handler,
                           candidates=candidates, images=applications.images_of(application), scan=scan,
                           scan_subject=scans.SUBJECT, **scan_views.terminal_choice(), **defaults), status


@bp.route("/onestop/<int:application_id>")
@roles(*ANALYSTS)
def onestop_application(application_id: int) -> tuple[str, int]:
    return _page(_read(application_id))


ACTIONS = {"deficient": DeficientForm, "correct": CorrectionForm, "accept": CorrectionForm, "change": ChangeForm,
           "withdraw": WithdrawForm, "reveal": RevealForm, "match": MatchForm}


@bp.route("/onestop/<int:application_id>/<action>", methods=["POST"])
@roles(*STAFF)
def onestop_act(application_id: int, action: str) -> BaseResponse | tuple[str, int]:
    if action not in ACTIONS:
        abort(404)
    application = _read(application_id)
    form = ACTIONS[action]()
    revealed = ""
    if form.validate_on_submit():
        try:
            message = _do(application, action, form)
            if action == "reveal":
                revealed = message
        except Refused as exc:
            transaction.refused_shown_again()
            # accepting has no field of its own: its refusal is shown by the 受理 button
            show_refusal(form, exc, fallback=None if action == "accept" else next(iter(form._fields)))
            return _page(_read(application_id), 422, **{f"{_form_name(action)}": form})
        else:
            if action == "reveal":  # shown once on this answer, never in a URL or a flash message
                return _page(application, 200, revealed=revealed)
            flash(message, "success")
            return redirect(url_for("furusato.onestop_application", application_id=application.id), 303)
    return _page(application, 422, **{f"{_form_name(action)}": form})


def _form_name(action: str) -> str:
    return {"deficient": "deficient_form", "correct": "correction_form", "accept": "correction_form",
            "change": "change_form", "withdraw": "withdraw_form", "reveal": "reveal_form",
            "match": "match_form"}[action]


def _do(application: OneStopApplication, action: str, form: FlaskForm) -> str:
    f: Any = form
    by = _by()
    if action == "deficient":
        review.mark_deficient(application, f.reason.data, f.note.data or "", by=by)
        return f"申請 #{application.id} を不備ありにしました。"
    if action == "correct":
        review.correct(application, documents_added=list(f.documents.data or []),
                       form_complete=True if f.form_complete.data else None,
                       declarations=True if f.declarations.data else None, by=by)
        return "補正の書類を記録しました。"
    if action == "accept":
        review.accept(application, by=by)
        return f"申請 #{application.id} を受理しました。"
    if action == "change":
        values = {k: getattr(f, k).data for k in ("name", "postal_code", "address", "phone", "email")
                  if getattr(f, k).data}
        if not values:
            raise applications.OneStopError("変更する項目を入力してください。", "address")
        applications.change(application, f.received_on.data or today(), values, by=by)
        return "変更届を記録しました。"
    if action == "withdraw":
        applications.withdraw(application, f.received_on.data or today(), f.note.data or "",
                              by=by)
        return f"申請 #{application.id} を取下げにしました。"
    if action == "match":
        ids = _ids(f.donations.data)
        if not f.donor_id.data:
            raise applications.OneStopError("寄附者番号を入力してください。", "donor_id")
        applications.link_donor(application, int(f.donor_id.data), ids, by=by)
        return "寄附者と寄附を照合しました。"
    return vault.reveal(application, f.reason.data or "", by=by)


@bp.route("/onestop/images/<int:image_id>")
@roles(*STAFF)
def onestop_image(image_id: int) -> BaseResponse:
    image = db.session.get(OneStopImage, image_id)
    if image is None:
        abort(404)
    try:
        data = applications.open_image(image, by=_by())
    except Refused:
        abort(403)
    response = send_file(io.BytesIO(data), mimetype=image.mime)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/onestop/notices", methods=["POST"])
@roles(*STAFF)
def onestop_notices() -> BaseResponse:
    form = NoticeForm()
    year = request.form.get("year", default_year(), type=int)
    if form.validate_on_submit():
        kind = form.kind.data
        ids = _ids(form.ids.data)
        chosen = listing.by_ids(ids) if ids else listing.in_state(year, notices.WANTS[notices.NoticeKind(kind)])
        if not ids and kind == notices.NoticeKind.acknowledgement:
            chosen = [a for a in chosen if a.acknowledged_at is None]
        try:
            task = notices.queue(chosen, kind, form.method.data, by=_by())
        except Refused as exc:
            transaction.refused_shown_again()
            flash(exc.message, "error")
            return redirect(url_for("furusato.onestop_list", year=year), 303)
        return redirect(url_for("tasks.task_page", task_id=task.id), 303)
    flash("通知の種類と送付方法を選んでください。", "error")
    return redirect(url_for("furusato.onestop_list", year=year), 303)


@bp.route("/onestop/notices/<int:task_id>.pdf")
@roles(*STAFF)
def onestop_notice_pdf(task_id: int) -> BaseResponse:
    task = tasks.get_task(task_id)
    path = files.existing(task_id, ".pdf") if task is not None and task.kind == notices.TASK_KIND else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/pdf", download_name=f"onestop-notices-{task_id}.pdf")


@bp.route("/onestop/eltax")
@roles(*STAFF)
def onestop_eltax() -> str:
    year = _year()
    return render_template("furusato/onestop/eltax.html", year=year, form=EltaxForm(formdata=None, year=year),
                           handovers=eltax.handovers(year), counts=eltax.invoice_counts(year),
                           handover_form=HandoverForm(formdata=None), deadline=review.handover_deadline(year))


@bp.route("/onestop/eltax", methods=["POST"])
@roles(*STAFF)
def onestop_eltax_build() -> BaseResponse:
    form = EltaxForm()
    year = (form.year.data if form.validate_on_submit() else None) or default_year()
    task = tasks.submit(eltax.TASK_KIND, {"year": year, "by": _by().id}, by=_by(),
                        title=f"申告特例通知書データの作成（{year}年分）")
    return redirect(url_for("tasks.task_page", task_id=task.id), 303)


@bp.route("/onestop/eltax/<int:task_id>.zip")
@roles(*STAFF)
def onestop_eltax_zip(task_id: int) -> BaseResponse:
    task = tasks.get_task(task_id)
    path = files.existing(task_id, ".zip") if task is not None and task.kind == eltax.TASK_KIND else None
    if path is None:
        abort(404)
    return send_file(path, mimetype="application/zip", download_name=f"shinkoku-tokurei-{task_id}.zip")


@bp.route("/onestop/handovers/<int:handover_id>", methods=["POST"])
@roles(*STAFF)
def onestop_handover(handover_id: int) -> BaseResponse:
    handover = db.session.get(OneStopHandover, handover_id)
    if handover is None:
        abort(404)
    form = HandoverForm()
    if form.validate_on_submit() and (form.how.data or "").strip():
        eltax.record_handover(handover, form.how.data, by=_by())
        flash(f"{handover.home_name}への引渡しを記録しました。", "success")
    else:
        flash("引渡しの方法を入力してください。", "error")
    return redirect(url_for("furusato.onestop_eltax", year=handover.tax_year), 303)


def _online_form(form: OnlineImportForm) -> OnlineImportForm:
    form.profile.choices = choices(online.profile_choices())
    return form


def _online_page(form: OnlineImportForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/onestop/online.html", form=_online_form(form),
                           files=online.recent_files(page_number()), approved=online.approved(),
                           max_mb=online.MAX_BYTES // (1024 * 1024), query={}), status


@bp.route("/onestop/online")
@roles(*STAFF)
def onestop_online() -> tuple[str, int]:
    return _online_page(OnlineImportForm(formdata=None))


@bp.route("/onestop/online", methods=["POST"])
@roles(*STAFF)
def onestop_online_upload() -> BaseResponse | tuple[str, int]:
    """The service's file kept encrypted and its import queued; its page shows the progress."""
    form = _online_form(OnlineImportForm())
    if form.validate_on_submit():
        try:
            stored = online.start(form.file.data.filename or "", form.file.data.read(online.MAX_BYTES + 1),
                                  form.profile.data or "", by=_by())
        except Refused as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc, fallback="file")
        else:
            return redirect(url_for("furusato.onestop_online_file", online_file_id=stored.id), 303)
    return _online_page(form, 422)


@bp.route("/onestop/online/<int:online_file_id>")
@roles(*STAFF)
def onestop_online_file(online_file_id: int) -> str:
    """One uploaded file: the live progress of its import, then what it brought or why not."""
    stored = db.get_or_404(OneStopOnlineFile, online_file_id)
    task = online.task_of(stored)
    return render_template("furusato/onestop/online_file.html", stored=stored, summary=online.summary_text(stored),
                           received=online.received_of(stored, page_number(), by=_by()), query={},
                           **(progress_context(task) if task is not None else {}))


from app.furusato.onestop import scan_views  # noqa: E402  (its routes use _page and _read above)
