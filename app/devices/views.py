from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.core.services import list_counters
from app.devices import services
from app.devices.forms import TerminalForm
from app.devices.models import Terminal
from app.extensions import db
from app.forms import choices
from app.nav_item import NavItem

bp = Blueprint("devices", __name__)
NAV = (NavItem("端末", "devices.terminals", "管理"),)


def _terminal_form(obj: Terminal | None = None) -> TerminalForm:
    form = TerminalForm(obj=obj)
    form.counter_id.choices = choices(
        [(None, "（なし）")] + [(c.id, c.label) for c in list_counters()])
    return form


@bp.route("/admin/terminals", methods=["GET", "POST"])
@roles("admin")
def terminals() -> str | tuple[str, int]:
    form = _terminal_form()
    token = None
    created = None
    if form.validate_on_submit():
        try:
            created, token = services.create_terminal(
                form.code.data or "", form.name.data or "", form.kind.data or "",
                form.counter_id.data)
        except services.TerminalError as exc:
            getattr(form, exc.field).errors.append(exc.message)
    status = 422 if form.errors else 200
    return render_template("devices/terminals.html", form=form, terminals=services.list_terminals(),
                           token=token, token_terminal=created), status


@bp.route("/admin/terminals/<int:terminal_id>", methods=["GET", "POST"])
@roles("admin")
def edit_terminal(terminal_id: int) -> str | Response | tuple[str, int]:
    terminal = db.get_or_404(Terminal, terminal_id)
    form = _terminal_form(terminal)
    if form.validate_on_submit():
        try:
            services.update_terminal(terminal, form.name.data or "", form.kind.data or "",
                                     form.counter_id.data, bool(form.active.data))
        except services.TerminalError as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            flash(f"端末「{terminal.name}」を保存しました。", "success")
            return redirect(url_for("devices.terminals"), 303)
    return render_template("devices/terminal_edit.html", form=form, terminal=terminal), (
        422 if form.errors else 200)


@bp.route("/admin/terminals/<int:terminal_id>/token", methods=["POST"])
@roles("admin")
def rotate_token(terminal_id: int) -> str:
    terminal = db.get_or_404(Terminal, terminal_id)
    token = services.rotate_token(terminal)
    return render_template("devices/token.html", terminal=terminal, token=token)
