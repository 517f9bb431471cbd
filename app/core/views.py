from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from app.auth.access import ALL_STAFF, public, roles
from app.core import calendar, services
from app.core.dates import fiscal_year, now, today
from app.core.forms import CounterForm, MunicipalityForm, SpecialOpeningForm
from app.core.models import Counter, SpecialOpening
from app.extensions import db
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
    return render_template("core/home.html")


@bp.route("/health")
@public
def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # the point of a health check is to report any failure
        return jsonify(status="error", database="unavailable", error=type(exc).__name__), 503
    return jsonify(status="ok", database="ok", dialect=db.engine.dialect.name,
                   time=now().isoformat(timespec="seconds")), 200


@bp.route("/admin/municipality", methods=["GET", "POST"])
@roles("admin")
def municipality() -> str | Response | tuple[str, int]:
    city = services.get_municipality()
    form = MunicipalityForm(obj=city)
    if form.validate_on_submit():
        try:
            services.save_municipality(services.MunicipalityInput(
                **{name: getattr(form, name).data or "" for name in (
                    "name", "code", "postal_code", "address", "mayor_name", "contractor_name")}))
        except services.SettingsError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash("自治体の設定を保存しました。", "success")
            return redirect(url_for("core.municipality"), 303)
    return render_template("core/municipality.html", form=form), 422 if form.errors else 200


def _calendar_page(form: SpecialOpeningForm, status: int = 200) -> tuple[str, int]:
    year = request.args.get("year", type=int) or fiscal_year(today())
    start = today()
    days = [(d, calendar.office_hours(d)) for d in (start + timedelta(days=i) for i in range(21))]
    return render_template(
        "core/calendar.html", form=form, year=year, days=days,
        openings=calendar.special_openings(year), limit=calendar.SPECIAL_OPENINGS_PER_YEAR,
        day_label=calendar.day_label,
    ), status


@bp.route("/calendar")
@roles(*ALL_STAFF)
def office_calendar() -> tuple[str, int]:
    return _calendar_page(SpecialOpeningForm())


@bp.route("/calendar/special", methods=["POST"])
@roles("admin")
def add_special_opening() -> Response | tuple[str, int]:
    form = SpecialOpeningForm()
    if form.validate_on_submit() and form.day.data:
        try:
            opening = calendar.add_special_opening(form.day.data, form.note.data or "",
                                                   current_user.id)
        except calendar.CalendarError as exc:
            form.day.errors = [*form.day.errors, exc.message]
        else:
            flash(f"{calendar.day_label(opening.day)}を土日開庁日に指定しました。", "success")
            return redirect(url_for("core.office_calendar", year=fiscal_year(opening.day)), 303)
    return _calendar_page(form, 422)


@bp.route("/calendar/special/<int:opening_id>/delete", methods=["POST"])
@roles("admin")
def remove_special_opening(opening_id: int) -> Response:
    opening = db.get_or_404(SpecialOpening, opening_id)
    label = calendar.day_label(opening.day)
    calendar.remove_special_opening(opening)
    flash(f"{label}の土日開庁の指定を取り消しました。", "success")
    return redirect(url_for("core.office_calendar"), 303)


@bp.route("/admin/counters", methods=["GET", "POST"])
@roles("admin")
def counters() -> str | Response | tuple[str, int]:
    form = CounterForm()
    if form.validate_on_submit():
        try:
            counter = services.save_counter(None, form.number.data, form.name.data or "",
                                            form.department.data or "", bool(form.active.data))
        except services.SettingsError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(f"{counter.label}を登録しました。", "success")
            return redirect(url_for("core.counters"), 303)
    return render_template("core/counters.html", form=form, counters=services.list_counters()), (
        422 if form.errors else 200)


@bp.route("/admin/counters/<int:counter_id>", methods=["GET", "POST"])
@roles("admin")
def edit_counter(counter_id: int) -> str | Response | tuple[str, int]:
    counter = db.get_or_404(Counter, counter_id)
    form = CounterForm(obj=counter)
    if form.validate_on_submit():
        try:
            services.save_counter(counter, form.number.data, form.name.data or "",
                                  form.department.data or "", bool(form.active.data))
        except services.SettingsError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(f"{counter.label}を保存しました。", "success")
            return redirect(url_for("core.counters"), 303)
    return render_template("core/counter_edit.html", form=form, counter=counter), (
        422 if form.errors else 200)
