from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles, serves
from app.auth.models import Programme
from app.core import desk
from app.core.services import list_counters
from app.devices import card, displays, jobs, services
from app.devices.api import bp as api_bp
from app.devices.forms import BindingForm, TerminalForm
from app.devices.models import DeviceJob, DeviceKind, Terminal
from app.devices.pad_pages import answer_pad, pad_view
from app.devices.sim_views import bp as sim_bp
from app.extensions import db
from app.staff.areas import active_areas
from app.web.forms import choices, input_from, integer, show_refusal
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = serves(Blueprint("devices", __name__), Programme.counter)
BLUEPRINTS = (api_bp, sim_bp)  # the agent API (token auth, no CSRF) and the simulator page
NAV = (
    NavItem("機器・印刷ジョブ", "devices.overview", "機器"),
    NavItem("機器シミュレータ", "device_sim.index", "機器"),
    NavItem("端末", "devices.terminals", "管理"),
)
DEVICE_STAFF = ("operator", "supervisor", "admin")
PAD = ("devices.pin_pad", "devices.pad_pin")


def _terminal_form(obj: Terminal | None = None) -> TerminalForm:
    form = TerminalForm(obj=obj)
    form.counter_id.choices = choices(
        [(None, "（なし）")] + [(c.id, c.label) for c in list_counters()])
    form.handling_area_id.choices = choices(
        [(None, "（なし）")] + [(a.id, f"{a.programme_label}：{a.name}（{a.place}）") for a in active_areas()])
    return form


@bp.route("/admin/terminals", methods=["GET", "POST"])
@roles("admin")
def terminals() -> str | tuple[str, int]:
    form = _terminal_form()
    token = None
    created = None
    if form.validate_on_submit():
        try:
            created, token = services.create_terminal(input_from(form, services.NewTerminal), by=current_user)
        except services.TerminalError as exc:
            show_refusal(form, exc)
    status = 422 if form.errors else 200
    return render_template("devices/terminals.html", form=form, terminals=services.list_terminals(),
                           token=token, token_terminal=created, is_live=displays.is_live,
                           board_of=displays.BOARD_OF), status


@bp.route("/admin/terminals/<int:terminal_id>", methods=["GET", "POST"])
@roles("admin")
def edit_terminal(terminal_id: int) -> str | Response | tuple[str, int]:
    terminal = db.get_or_404(Terminal, terminal_id)
    form = _terminal_form(terminal)
    if form.validate_on_submit():
        try:
            services.update_terminal(terminal, input_from(form, services.TerminalChange, active=bool(form.active.data),
                                                                   sound=bool(form.sound.data)),
                                     by=current_user)
        except services.TerminalError as exc:
            show_refusal(form, exc)
        else:
            flash(f"端末「{terminal.name}」を保存しました。", "success")
            return redirect(url_for("devices.terminals"), 303)
    return render_template("devices/terminal_edit.html", form=form, terminal=terminal,
                           board=displays.BOARD_OF.get(terminal.kind)), (
        422 if form.errors else 200)


@bp.route("/admin/terminals/<int:terminal_id>/token", methods=["POST"])
@roles("admin")
def rotate_token(terminal_id: int) -> str:
    terminal = db.get_or_404(Terminal, terminal_id)
    token = services.rotate_token(terminal, by=current_user)
    return render_template("devices/token.html", terminal=terminal, token=token)


@bp.route("/devices")
@roles(*DEVICE_STAFF)
def overview() -> str:
    return render_template("devices/overview.html", terminals=services.list_terminals(),
                           summary=jobs.summary_by_terminal(), no_jobs=jobs.JobCounts(), is_live=displays.is_live)


def _terminal_page(terminal: Terminal, form: BindingForm | None = None,
                   status: int = 200) -> tuple[str, int]:
    return page_or_fragment(
        "devices/terminal.html", "devices/_terminal_jobs.html", terminal=terminal, form=form or BindingForm(),
        jobs=jobs.terminal_jobs(terminal), is_live=displays.is_live,
        can_change=jobs.can_change, can_reroute=jobs.can_reroute,
        may_configure=services.can_configure(current_user),
        printers=services.terminals_with_device(DeviceKind.printer, exclude=terminal),
    ), status


@bp.route("/devices/terminals/<int:terminal_id>")
@roles(*DEVICE_STAFF)
def terminal(terminal_id: int) -> tuple[str, int]:
    return _terminal_page(db.get_or_404(Terminal, terminal_id))


@bp.route("/devices/terminals/<int:terminal_id>/bindings", methods=["POST"])
@roles("admin")
def add_binding(terminal_id: int) -> Response | tuple[str, int]:
    terminal = db.get_or_404(Terminal, terminal_id)
    form = BindingForm()
    if form.validate_on_submit():
        try:
            services.save_binding(terminal, input_from(form, services.BindingInput, active=bool(form.active.data)),
                                  by=current_user)
        except services.TerminalError as exc:
            show_refusal(form, exc)
        else:
            flash("機器の設定を保存しました。", "success")
            return redirect(url_for("devices.terminal", terminal_id=terminal.id), 303)
    return _terminal_page(terminal, form, 422)


def _job_action(job_id: int, action: str) -> Response:
    """Resend, cancel or reroute a job; a refused one changes nothing (the refusal is only
    shown: there is nothing about it to record)."""
    job = db.get_or_404(DeviceJob, job_id)
    try:
        if action == "resend":
            jobs.resend(job, by=current_user)
            flash(f"ジョブ{job.id}を再送しました。", "success")
        elif action == "cancel":
            jobs.cancel(job, by=current_user)
            flash(f"ジョブ{job.id}を取り消しました。", "success")
        else:
            target = db.get_or_404(Terminal, request.form.get("target", type=integer) or 0)
            copy = jobs.reroute(job, target, by=current_user)
            flash(f"ジョブ{job.id}を「{target.name}」へ振り替えました（ジョブ{copy.id}）。", "success")
    except jobs.JobError as exc:
        discard()
        flash(exc.message, "error")
    return redirect(url_for("devices.terminal", terminal_id=job.terminal_id), 303)


@bp.route("/devices/jobs/<int:job_id>/resend", methods=["POST"])
@roles(*DEVICE_STAFF)
def resend_job(job_id: int) -> Response:
    return _job_action(job_id, "resend")


@bp.route("/devices/jobs/<int:job_id>/cancel", methods=["POST"])
@roles(*DEVICE_STAFF)
def cancel_job(job_id: int) -> Response:
    return _job_action(job_id, "cancel")


@bp.route("/devices/jobs/<int:job_id>/reroute", methods=["POST"])
@roles(*DEVICE_STAFF)
def reroute_job(job_id: int) -> Response:
    return _job_action(job_id, "reroute")


# -- the visitor-facing PIN pad (issue 15 §1) ----------------------------------------------------

def _my_reader() -> Terminal | None:
    """The counter PC (with the card reader) of the counter the signed-in operator serves."""
    counter = desk.my_counter()
    return card.counter_terminal(counter.id) if counter else None


@bp.route("/devices/pad")
@roles("operator", "supervisor")
def pin_pad() -> tuple[str, int]:
    """暗証番号入力: the page for the screen that faces the visitor at the operator's counter."""
    return pad_view(_my_reader(), PAD)


@bp.route("/devices/pad/<int:job_id>/pin", methods=["POST"])
@roles("operator", "supervisor")
def pad_pin(job_id: int) -> tuple[str, int]:
    return answer_pad(_my_reader(), job_id, PAD)
