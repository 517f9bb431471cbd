"""The staff register's pages: the register of a programme, an entry with its pledge, the
作業責任者 change requests the city approves, the reported changes of 作業従事者, the training
records, and the written reports (PDF). The contractor's supervisor edits; the city's staff of
the programme read, approve and mark as seen; an operator reads their own entry."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import ALL_STAFF, roles
from app.staff import documents, leads, register, training, uploads
from app.staff.contract_views import bp as end_bp
from app.staff.forms import (
    AttendanceForm,
    DecisionForm,
    EndForm,
    EntryForm,
    LeadChangeForm,
    PledgeForm,
    TrainingForm,
)
from app.staff.models import StaffEntry
from app.staff.pages import READERS, choose, found, programme_or_404, send
from app.staff.places_views import bp as places_bp
from app.staff.programmes import Programme
from app.staff.refusals import StaffError
from app.web.forms import choices, input_from, page_number, show_refusal
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = Blueprint("staff", __name__, url_prefix="/staff")
BLUEPRINTS = (places_bp, end_bp)
NAV = (
    NavItem("従事者名簿", "staff.index", "管理"),
    NavItem("取扱区域", "staff_places.areas_index", "管理"),
    NavItem("事故報告", "staff_places.incidents_index", "管理"),
    NavItem("契約終了の手続", "staff_end.index", "管理"),
)


@bp.route("/")
@roles(*ALL_STAFF)
def index() -> BaseResponse | str:
    """An operator sees their own entry; the others the register of their programme (an
    administrator, who reaches both, chooses)."""
    if current_user.role == "operator":
        return redirect(url_for("staff.me"))
    return choose("staff.entries")


@bp.route("/me")
@roles(*ALL_STAFF)
def me() -> str:
    mine = register.entries_of(current_user)
    return render_template("staff/me.html", entries=mine, attended={e.id: training.attended(e) for e in mine},
                           post_label=register.post_label)


def _entry_form(programme: str, form: EntryForm | None = None) -> EntryForm:
    form = form or EntryForm()
    form.user_id.choices = choices([("", "（なし）"), *((u.id, f"{u.display_name}（{u.role.label}）")
                                                      for u in register.accounts(programme))])
    return form


def _register_page(programme: str, form: EntryForm | None = None, status: int = 200) -> tuple[str, int]:
    with_ended = request.args.get("ended") == "1"
    return render_template(
        "staff/entries.html", programme=Programme(programme), form=_entry_form(programme, form),
        page=register.entries(programme, page_number(), with_ended=with_ended),
        with_ended=with_ended, lead=register.current_lead(programme), open_change=leads.open_change(programme),
        unseen=register.unseen_changes(programme), may_edit=register.may_edit(current_user, programme),
        post_label=register.post_label), status


@bp.route("/<programme>")
@roles(*READERS)
def entries(programme: str) -> tuple[str, int]:
    return _register_page(programme_or_404(programme))


@bp.route("/<programme>/entries", methods=["POST"])
@roles("supervisor")
def add_entry(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = _entry_form(programme)
    if form.validate_on_submit():
        try:
            entry = register.add_entry(programme, input_from(form, register.EntryInput), by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="name")
        else:
            flash(f"{entry.name}さんを名簿に登録しました。", "success")
            return redirect(url_for("staff.entry", entry_id=entry.id), 303)
    return _register_page(programme, form, 422)


@bp.route("/<programme>/roster.pdf")
@roles(*READERS)
def roster_pdf(programme: str) -> Response:
    programme = programme_or_404(programme)
    return send(documents.roster_pdf(programme, by=current_user), "application/pdf", f"staff-roster-{programme}.pdf")


def _entry_page(entry: StaffEntry, status: int = 200, **forms: object) -> tuple[str, int]:
    form = forms.get("form") or _entry_form(entry.programme, EntryForm(obj=entry, formdata=None))
    return render_template(
        "staff/entry.html", entry=entry, form=form, end_form=forms.get("end_form") or EndForm(),
        pledge_form=forms.get("pledge_form") or PledgeForm(), attended=training.attended(entry),
        may_edit=register.may_edit(current_user, entry.programme), may_end=register.may_end(current_user, entry),
        post_label=register.post_label), status


def _entry(entry_id: int) -> StaffEntry:
    entry = found(register.get_entry(entry_id))
    if current_user.role not in READERS:
        abort(403)
    return entry


@bp.route("/entries/<int:entry_id>")
@roles(*READERS)
def entry(entry_id: int) -> tuple[str, int]:
    opened = _entry(entry_id)
    register.record_read(opened, by=current_user)
    return _entry_page(opened)


@bp.route("/entries/<int:entry_id>", methods=["POST"])
@roles("supervisor")
def update_entry(entry_id: int) -> BaseResponse | tuple[str, int]:
    entry = _entry(entry_id)
    form = _entry_form(entry.programme)
    if form.validate_on_submit():
        try:
            register.update_entry(entry, input_from(form, register.EntryInput, post=entry.post), by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="name")
        else:
            flash("名簿の内容を保存しました。", "success")
            return redirect(url_for("staff.entry", entry_id=entry.id), 303)
    return _entry_page(entry, 422, form=form)


@bp.route("/entries/<int:entry_id>/end", methods=["POST"])
@roles("supervisor")
def end_entry(entry_id: int) -> BaseResponse | tuple[str, int]:
    entry = _entry(entry_id)
    form = EndForm()
    if form.validate_on_submit():
        try:
            register.end_entry(entry, form.end_on.data, by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="end_on")
        else:
            flash(f"{entry.name}さんの従事終了を記録し、市へ報告しました。", "success")
            return redirect(url_for("staff.entry", entry_id=entry.id), 303)
    return _entry_page(entry, 422, end_form=form)


@bp.route("/entries/<int:entry_id>/pledge", methods=["POST"])
@roles("supervisor")
def record_pledge(entry_id: int) -> BaseResponse | tuple[str, int]:
    entry = _entry(entry_id)
    form = PledgeForm()
    if form.validate_on_submit():
        upload = form.document.data
        data = uploads.Upload(upload.filename or "", upload.read()) if upload else uploads.Upload("", b"")
        try:
            register.record_pledge(entry, form.signed_on.data, data, by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="document")
        else:
            flash("誓約書を登録しました。", "success")
            return redirect(url_for("staff.entry", entry_id=entry.id), 303)
    return _entry_page(entry, 422, pledge_form=form)


@bp.route("/entries/<int:entry_id>/pledge")
@roles(*READERS)
def pledge_document(entry_id: int) -> Response:
    entry = _entry(entry_id)
    try:
        data, mimetype, filename = register.pledge_document(entry, by=current_user)
    except StaffError:
        abort(404)
    return send(data, mimetype, filename)


# --- changes of 作業責任者 and 作業従事者 -------------------------------------------------------

def _lead_form(programme: str, form: LeadChangeForm | None = None) -> LeadChangeForm:
    form = form or LeadChangeForm()
    form.user_id.choices = _entry_form(programme).user_id.choices
    return form


def _lead_page(programme: str, form: LeadChangeForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template(
        "staff/lead_changes.html", programme=Programme(programme), form=_lead_form(programme, form),
        page=leads.changes(programme, page_number()), lead=register.current_lead(programme),
        open_change=leads.open_change(programme), may_edit=register.may_edit(current_user, programme)), status


@bp.route("/<programme>/lead-changes")
@roles(*READERS)
def lead_changes(programme: str) -> tuple[str, int]:
    return _lead_page(programme_or_404(programme))


@bp.route("/<programme>/lead-changes", methods=["POST"])
@roles("supervisor")
def request_lead_change(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = _lead_form(programme)
    if form.validate_on_submit():
        try:
            change = leads.request_change(programme, input_from(form, leads.LeadChangeInput), by=current_user)
        except StaffError as exc:
            show_refusal(form, exc)
        else:
            flash("作業責任者の変更を申請しました。市の承認があるまで、現在の作業責任者が引き続き従事します。",
                  "success")
            return redirect(url_for("staff.lead_change", change_id=change.id), 303)
    return _lead_page(programme, form, 422)


def _change_page(change: leads.LeadChange, form: DecisionForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("staff/lead_change.html", change=change, form=form or DecisionForm(),
                           may_decide=leads.may_decide(current_user, change)), status


def _change(change_id: int) -> leads.LeadChange:
    change = found(leads.get_change(change_id))
    return change


@bp.route("/lead-changes/<int:change_id>")
@roles(*READERS)
def lead_change(change_id: int) -> tuple[str, int]:
    return _change_page(_change(change_id))


@bp.route("/lead-changes/<int:change_id>.pdf")
@roles(*READERS)
def lead_change_pdf(change_id: int) -> Response:
    change = _change(change_id)
    return send(documents.lead_change_pdf(change, by=current_user), "application/pdf", f"lead-change-{change.id}.pdf")


def _decide(change_id: int, approve: bool) -> BaseResponse | tuple[str, int]:
    change = _change(change_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            if approve:
                leads.approve(change, form.note.data or "", by=current_user)
            else:
                leads.reject(change, form.note.data or "", by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="note")
        else:
            flash("作業責任者の変更を承認しました。" if approve else "変更申請を不承認としました。", "success")
            return redirect(url_for("staff.lead_change", change_id=change.id), 303)
    return _change_page(change, form, 422)


@bp.route("/lead-changes/<int:change_id>/approve", methods=["POST"])
@roles("city_staff")
def approve_lead_change(change_id: int) -> BaseResponse | tuple[str, int]:
    return _decide(change_id, approve=True)


@bp.route("/lead-changes/<int:change_id>/reject", methods=["POST"])
@roles("city_staff")
def reject_lead_change(change_id: int) -> BaseResponse | tuple[str, int]:
    return _decide(change_id, approve=False)


@bp.route("/<programme>/changes")
@roles(*READERS)
def worker_changes(programme: str) -> str:
    programme = programme_or_404(programme)
    return render_template("staff/worker_changes.html", programme=Programme(programme),
                           page=register.worker_changes(programme, page_number()),
                           may_mark=current_user.role == "city_staff")


@bp.route("/<programme>/changes.pdf")
@roles(*READERS)
def worker_changes_pdf(programme: str) -> Response:
    programme = programme_or_404(programme)
    pdf = documents.worker_changes_pdf(programme, register.recent_changes(programme), by=current_user)
    return send(pdf, "application/pdf", f"worker-changes-{programme}.pdf")


@bp.route("/changes/<int:change_id>/seen", methods=["POST"])
@roles("city_staff")
def mark_seen(change_id: int) -> BaseResponse:
    change = found(register.get_change(change_id))
    register.mark_seen(change, by=current_user)
    return redirect(url_for("staff.worker_changes", programme=change.programme), 303)


# --- training ----------------------------------------------------------------------------------

def _attendee_choices(programme: str) -> list:
    return choices((e.id, f"{e.name}（{register.post_label(e.post, programme)}）") for e in register.roster(programme))


def _training_page(programme: str, form: TrainingForm | None = None, status: int = 200) -> tuple[str, int]:
    form = form or TrainingForm()
    form.attendee_ids.choices = _attendee_choices(programme)
    return render_template("staff/trainings.html", programme=Programme(programme), form=form,
                           page=training.trainings(programme, page_number()),
                           may_edit=register.may_edit(current_user, programme)), status


@bp.route("/<programme>/trainings")
@roles(*READERS)
def trainings(programme: str) -> tuple[str, int]:
    return _training_page(programme_or_404(programme))


@bp.route("/<programme>/trainings", methods=["POST"])
@roles("supervisor")
def record_training(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = TrainingForm()
    form.attendee_ids.choices = _attendee_choices(programme)
    if form.validate_on_submit():
        upload = form.material.data
        material = uploads.Upload(upload.filename or "", upload.read()) if upload else None
        try:
            training.record_training(programme, input_from(form, training.TrainingInput), material, by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="title")
        else:
            flash("研修を記録しました。", "success")
            return redirect(url_for("staff.trainings", programme=programme), 303)
    return _training_page(programme, form, 422)


@bp.route("/trainings/<int:training_id>/material")
@roles(*READERS)
def training_material(training_id: int) -> Response:
    session = found(training.get_training(training_id))
    try:
        data, mimetype, filename = training.material(session, by=current_user)
    except StaffError:
        abort(404)
    return send(data, mimetype, filename)


@bp.route("/trainings/<int:training_id>/attendance", methods=["POST"])
@roles("supervisor")
def set_attendance(training_id: int) -> BaseResponse:
    session = found(training.get_training(training_id))
    form = AttendanceForm()
    form.attendee_ids.choices = _attendee_choices(session.programme)
    form.validate_on_submit()
    try:
        training.set_attendance(session, form.attendee_ids.data or [], by=current_user)
    except StaffError as exc:
        discard()
        flash(exc.message, "error")
    return redirect(url_for("staff.trainings", programme=session.programme), 303)
