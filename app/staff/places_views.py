"""Pages of the handling areas (取扱区域), the incidents (事故) and the contract's end."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.staff import areas, documents, incidents, register
from app.staff.forms import AcknowledgeForm, AreaForm, IncidentForm, PreventionForm
from app.staff.models import HandlingArea, Incident
from app.staff.pages import READERS, choose, found, programme_or_404, send
from app.staff.programmes import Programme
from app.staff.refusals import StaffError
from app.web.forms import input_from, page_number, show_refusal
from app.web.transaction import discard

bp = Blueprint("staff_places", __name__, url_prefix="/staff")
REPORTERS = ("operator", "supervisor")


# --- handling areas ----------------------------------------------------------------------------

@bp.route("/areas")
@roles(*READERS)
def areas_index() -> BaseResponse | str:
    return choose("staff_places.areas_page")


def _areas_page(programme: str, form: AreaForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("staff/areas.html", programme=Programme(programme), form=form or AreaForm(),
                           page=areas.areas(programme, page_number()),
                           may_edit=register.may_edit(current_user, programme)), status


@bp.route("/<programme>/areas")
@roles(*READERS)
def areas_page(programme: str) -> tuple[str, int]:
    return _areas_page(programme_or_404(programme))


@bp.route("/<programme>/areas", methods=["POST"])
@roles("supervisor")
def add_area(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = AreaForm()
    if form.validate_on_submit():
        try:
            areas.save_area(programme, None, input_from(form, areas.AreaInput), by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="name")
        else:
            flash("取扱区域を登録しました。", "success")
            return redirect(url_for("staff_places.areas_page", programme=programme), 303)
    return _areas_page(programme, form, 422)


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@roles(*READERS)
def area(area_id: int) -> BaseResponse | tuple[str, int]:
    place: HandlingArea = found(areas.get_area(area_id))
    form = AreaForm(obj=place)
    may_edit = register.may_edit(current_user, place.programme)
    if request.method == "POST":
        if not may_edit:
            abort(403)
        if form.validate_on_submit():
            try:
                changed = areas.save_area(place.programme, place, input_from(form, areas.AreaInput), by=current_user)
            except StaffError as exc:
                show_refusal(form, exc, fallback="name")
            else:
                flash("取扱区域の変更を市へ申請しました。承認されるまで現在の取扱区域のままです。" if changed.pending
                      else "取扱区域を保存しました。", "success")
                return redirect(url_for("staff_places.areas_page", programme=place.programme), 303)
    return render_template("staff/area.html", area=place, form=form, may_edit=may_edit,
                           may_approve=areas.may_approve(current_user, place)), 422 if form.errors else 200


@bp.route("/areas/<int:area_id>/approve", methods=["POST"])
@roles("city_staff")
def approve_area(area_id: int) -> BaseResponse:
    place: HandlingArea = found(areas.get_area(area_id))
    try:
        areas.approve(place, by=current_user)
    except StaffError as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash("取扱区域を承認しました。", "success")
    return redirect(url_for("staff_places.areas_page", programme=place.programme), 303)


@bp.route("/<programme>/areas.pdf")
@roles(*READERS)
def areas_pdf(programme: str) -> Response:
    programme = programme_or_404(programme)
    pdf = documents.areas_pdf(programme, areas.active_areas(programme), by=current_user)
    return send(pdf, "application/pdf", f"handling-areas-{programme}.pdf")


# --- incidents ---------------------------------------------------------------------------------

@bp.route("/incidents")
@roles(*READERS, *REPORTERS)
def incidents_index() -> BaseResponse | str:
    """The contractor's staff go to the report form; the city and the supervisor to the log."""
    if current_user.role == "operator":
        return choose("staff_places.new_incident")
    return choose("staff_places.incidents_page")


@bp.route("/<programme>/incidents")
@roles(*READERS)
def incidents_page(programme: str) -> str:
    programme = programme_or_404(programme)
    state = request.args.get("state", "")
    return render_template("staff/incidents.html", programme=Programme(programme), state=state,
                           page=incidents.incidents(programme, page_number(), state=state),
                           may_report=incidents.may_report(current_user, programme),
                           unacknowledged=incidents.unacknowledged(programme))


@bp.route("/<programme>/incidents/new", methods=["GET", "POST"])
@roles(*REPORTERS)
def new_incident(programme: str) -> BaseResponse | tuple[str, int]:
    programme = programme_or_404(programme)
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident = incidents.report(programme, input_from(form, incidents.IncidentInput), by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="what_happened")
        else:
            flash("事故を記録し、市へ報告しました。市の指示を待ってください。", "success")
            return redirect(url_for("staff_places.incident", incident_id=incident.id), 303)
    return render_template("staff/incident_new.html", programme=Programme(programme), form=form), \
        422 if form.errors else 200


def _incident(incident_id: int) -> Incident:
    incident: Incident = found(incidents.get_incident(incident_id))
    if current_user.role == "operator" and incident.reported_by_id != current_user.id:
        abort(403)  # an operator sees the reports they made, not the whole log
    return incident


def _incident_page(incident: Incident, status: int = 200, **forms: object) -> tuple[str, int]:
    return render_template(
        "staff/incident.html", incident=incident, ack_form=forms.get("ack_form") or AcknowledgeForm(),
        prevention_form=forms.get("prevention_form") or PreventionForm(),
        may_acknowledge=incidents.may_acknowledge(current_user, incident),
        may_close=incidents.may_close(current_user, incident)), status


@bp.route("/incidents/<int:incident_id>")
@roles(*READERS, *REPORTERS)
def incident(incident_id: int) -> tuple[str, int]:
    opened = _incident(incident_id)
    incidents.record_read(opened, by=current_user)
    return _incident_page(opened)


@bp.route("/incidents/<int:incident_id>.pdf")
@roles(*READERS, *REPORTERS)
def incident_pdf(incident_id: int) -> Response:
    found_incident = _incident(incident_id)
    return send(documents.incident_pdf(found_incident, by=current_user), "application/pdf",
                f"incident-{found_incident.id}.pdf")


@bp.route("/incidents/<int:incident_id>/acknowledge", methods=["POST"])
@roles("city_staff")
def acknowledge_incident(incident_id: int) -> BaseResponse | tuple[str, int]:
    found_incident = _incident(incident_id)
    form = AcknowledgeForm()
    if form.validate_on_submit():
        try:
            incidents.acknowledge(found_incident, form.instruction.data or "", by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="instruction")
        else:
            flash("事故報告を確認しました。", "success")
            return redirect(url_for("staff_places.incident", incident_id=found_incident.id), 303)
    return _incident_page(found_incident, 422, ack_form=form)


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@roles("supervisor")
def close_incident(incident_id: int) -> BaseResponse | tuple[str, int]:
    found_incident = _incident(incident_id)
    form = PreventionForm()
    if form.validate_on_submit():
        try:
            incidents.close(found_incident, form.prevention.data or "", by=current_user)
        except StaffError as exc:
            show_refusal(form, exc, fallback="prevention")
        else:
            flash("再発防止策を記録し、完了としました。", "success")
            return redirect(url_for("staff_places.incident", incident_id=found_incident.id), 303)
    return _incident_page(found_incident, 422, prevention_form=form)
