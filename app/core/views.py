from __future__ import annotations

from datetime import MAXYEAR, MINYEAR

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import ALL_STAFF, public, roles
from app.auth.models import Role
from app.core import calendar, desk, services
from app.core.dates import fiscal_year, now, today
from app.core.forms import CounterForm, MunicipalityForm, SealForm, SpecialOpeningForm
from app.core.models import Counter
from app.web import worklist
from app.web.forms import input_from, integer, show_refusal
from app.web.nav_item import NavItem

bp = Blueprint("core", __name__)
NAV = (
    NavItem("ホーム", "core.home", "業務"),
    NavItem("開庁カレンダー", "core.office_calendar", "業務"),
    NavItem("自治体設定", "core.municipality", "管理"),
    NavItem("窓口", "core.counters", "管理"),
)


@bp.route("/")
@roles(*ALL_STAFF)
def home() -> str:
    lines = worklist.work_lines(current_user, desk.my_counter())
    return render_template("core/home.html", work_groups=worklist.grouped(lines))


@bp.route("/health")
@public
def health() -> tuple[Response, int]:
    try:
        dialect = services.database_dialect()
    except Exception as exc:  # the point of a health check is to report any failure
        return jsonify(status="error", database="unavailable", error=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", dialect=dialect, time=now().isoformat(timespec="seconds")), 200


@bp.route("/admin/municipality", methods=["GET", "POST"])
@roles(Role.admin)
def municipality() -> Response | tuple[str, int]:
    city = services.get_municipality()
    form = MunicipalityForm(obj=city)
    if form.validate_on_submit():
        try:
            services.save_municipality(input_from(form, services.MunicipalityInput), by=current_user)
        except services.SettingsError as exc:
            show_refusal(form, exc, fallback="name")
        else:
            flash("自治体の設定を保存しました。", "success")
            return redirect(url_for("core.municipality"), 303)
    return _municipality_page(form, SealForm(obj=city))


def _municipality_page(form: MunicipalityForm, seal: SealForm) -> tuple[str, int]:
    city = services.get_municipality()
    return render_template("core/municipality.html", form=form, seal=seal, city=city), (
        422 if form.errors or seal.errors else 200)


@bp.route("/admin/municipality/seal", methods=["POST"])
@roles(Role.admin)
def municipality_seal() -> Response | tuple[str, int]:
    """公印の画像の登録 (printed at true size on 寄附金受領証明書)."""
    seal = SealForm()
    if seal.validate_on_submit():
        upload = seal.seal_file.data
        try:
            services.save_seal(upload.read() if upload else b"", seal.seal_mm.data, by=current_user)
        except services.SettingsError as exc:
            show_refusal(seal, exc, fallback="seal_file")
        else:
            flash("公印の画像を登録しました。", "success")
            return redirect(url_for("core.municipality"), 303)
    return _municipality_page(MunicipalityForm(obj=services.get_municipality()), seal)


@bp.route("/admin/municipality/seal.png")
@roles(Role.admin)
def municipality_seal_image() -> Response:
    city = services.get_municipality()
    if city is None or not city.seal_png:
        abort(404)
    return Response(city.seal_png, mimetype="image/png", headers={"Cache-Control": "no-store"})


def _calendar_page(form: SpecialOpeningForm, status: int = 200) -> tuple[str, int]:
    year = request.args.get("year", type=integer)
    if year is None or not MINYEAR <= year < MAXYEAR:  # a fiscal year ends in the next year
        year = fiscal_year(today())
    return render_template(
        "core/calendar.html", form=form, year=year, days=calendar.days_ahead(today(), 21),
        openings=calendar.special_openings(year), limit=calendar.SPECIAL_OPENINGS_PER_YEAR,
        day_label=calendar.day_label,
    ), status


@bp.route("/calendar")
@roles(*ALL_STAFF)
def office_calendar() -> tuple[str, int]:
    return _calendar_page(SpecialOpeningForm())


@bp.route("/calendar/special", methods=["POST"])
@roles(Role.admin)
def add_special_opening() -> Response | tuple[str, int]:
    form = SpecialOpeningForm()
    if form.validate_on_submit():
        try:
            opening = calendar.add_special_opening(input_from(form, calendar.SpecialOpeningInput), by=current_user)
        except calendar.CalendarError as exc:
            show_refusal(form, exc, fallback="day")
        else:
            flash(f"{calendar.day_label(opening.day)}を土日開庁日に指定しました。", "success")
            return redirect(url_for("core.office_calendar", year=fiscal_year(opening.day)), 303)
    return _calendar_page(form, 422)


@bp.route("/calendar/special/<int:opening_id>/delete", methods=["POST"])
@roles(Role.admin)
def remove_special_opening(opening_id: int) -> Response:
    opening = calendar.get_special_opening(opening_id)
    if opening is None:
        abort(404)
    label = calendar.day_label(opening.day)
    calendar.remove_special_opening(opening)
    flash(f"{label}の土日開庁の指定を取り消しました。", "success")
    return redirect(url_for("core.office_calendar"), 303)


def _save_counter(form: CounterForm, counter: Counter | None) -> Counter | None:
    """The counter saved from the form, or None with the problems shown on it."""
    entered = input_from(form, services.CounterInput)
    try:
        return services.save_counter(counter, entered.number, entered.name, entered.department, bool(entered.active),
                                     by=current_user)
    except services.SettingsError as exc:
        show_refusal(form, exc, fallback="name")
        return None


@bp.route("/admin/counters", methods=["GET", "POST"])
@roles(Role.admin)
def counters() -> Response | tuple[str, int]:
    form = CounterForm()
    if form.validate_on_submit() and (counter := _save_counter(form, None)):
        flash(f"{counter.label}を登録しました。", "success")
        return redirect(url_for("core.counters"), 303)
    return render_template("core/counters.html", form=form, counters=services.list_counters()), (
        422 if form.errors else 200)


@bp.route("/admin/counters/<int:counter_id>", methods=["GET", "POST"])
@roles(Role.admin)
def edit_counter(counter_id: int) -> Response | tuple[str, int]:
    counter = services.get_counter(counter_id)
    if counter is None:
        abort(404)
    form = CounterForm(obj=counter)
    if form.validate_on_submit() and _save_counter(form, counter):
        flash(f"{counter.label}を保存しました。", "success")
        return redirect(url_for("core.counters"), 303)
    return render_template("core/counter_edit.html", form=form, counter=counter), (
        422 if form.errors else 200)
