"""Kiosk, counter operator, cashier call, displays, ticket status and statistics (issue 4).

The operator's counter is chosen on the counter page and remembered in the session
(app/core/desk.py, shared with the counter domain): a browser cannot tell which counter PC it
runs on, since the terminal token belongs to the agent, not to the browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.auth.access import public, roles, serves
from app.auth.models import Programme, User
from app.core import calendar, desk
from app.core import services as core_services
from app.core.dates import now, today
from app.core.models import Counter
from app.counter import catalog
from app.devices import displays
from app.devices.models import DeviceKind, Terminal, TerminalKind
from app.devices.services import terminal_by_code
from app.extensions import db
from app.queue import boards, closing, kiosk_limit, printing, services, stats, status, streams
from app.queue.forms import CategoryForm, SettingsForm, StaffIssueForm
from app.queue.models import Board, Call, ServiceCategory, Ticket
from app.register import services as register_services
from app.web.forms import choices, input_from, integer, show_refusal
from app.web.htmx import page_or_fragment
from app.web.nav_item import NavItem
from app.web.transaction import discard

bp = serves(Blueprint("queue", __name__), Programme.counter)
NAV = (
    NavItem("窓口呼出", "queue.counter", "窓口業務"),
    NavItem("会計呼出", "queue.cashier", "会計"),
    NavItem("待ち状況・統計", "queue.dashboard", "集計・報告"),
    NavItem("発券業務の設定", "queue.categories", "管理"),
)
COUNTER_STAFF = ("operator", "supervisor")
CASHIER_STAFF = ("operator", "supervisor")
SUPERVISORS = ("supervisor", "admin")
SETTINGS_STAFF = ("supervisor", "admin")


def _by() -> User | None:
    """Who acts: the signed-in member of staff (None at the kiosk)."""
    return current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]


# -- kiosk -------------------------------------------------------------------------------------
def _kiosk(code: str) -> Terminal:
    terminal = terminal_by_code(code)
    if terminal is None or terminal.kind != TerminalKind.kiosk or not terminal.active:
        abort(404)
    return terminal


def _kiosk_buttons() -> list[dict[str, Any]]:
    at = now()
    counts = services.waiting_counts()
    buttons = []
    for category in services.list_categories(active_only=True):
        waiting = counts.get(category.id, 0)
        buttons.append({
            "category": category, "waiting": waiting, "availability": services.availability(category, at),
            "wait_minutes": services.estimated_wait_minutes(category, waiting),
        })
    return buttons


def _office_state() -> dict[str, Any]:
    at = now()
    opening = None if calendar.is_open(at) else calendar.next_opening(at)
    return {"is_open": opening is None, "next_opening": opening,
            "next_opening_label": calendar.day_label(opening.date()) if opening else "",
            "hours": calendar.office_hours(at.date()),
            "next_hours": closing.day_hours(opening.date()) if opening else ""}


@bp.route("/kiosk/<code>")
@public
def kiosk(code: str) -> str:
    terminal = _kiosk(code)
    return page_or_fragment("queue/kiosk.html", "queue/_kiosk_buttons.html", terminal=terminal,
                            buttons=_kiosk_buttons(), **_office_state())


def _print(ticket: Ticket, terminal: Terminal | None) -> bool:
    """Queue the printed ticket; False when the terminal has no printer to take it."""
    return printing.print_ticket(ticket, terminal, _by())


@bp.route("/kiosk/<code>/tickets", methods=["POST"])
@public
def kiosk_issue(code: str) -> str | tuple[str, int]:
    terminal = _kiosk(code)
    category = db.session.get(ServiceCategory, request.form.get("category_id", type=integer) or 0)
    if category is None or not category.active:
        abort(404)
    try:
        ticket = services.issue_ticket(category, kiosk=terminal, address=request.remote_addr or "")
    except (services.QueueError, kiosk_limit.KioskBusy) as exc:
        discard()  # what the refused press flushed (its ticket) is not counted on the page shown
        status = 429 if isinstance(exc, kiosk_limit.KioskBusy) else 422
        return render_template("queue/kiosk.html", terminal=terminal, buttons=_kiosk_buttons(),
                               error=exc.message, **_office_state()), status
    printed = _print(ticket, terminal)
    ahead = services.people_ahead(ticket)
    return render_template("queue/kiosk_issued.html", terminal=terminal, ticket=ticket, printed=printed,
                           ahead=ahead, wait_minutes=services.estimated_wait_minutes(category, ahead))


# -- public ticket status -------------------------------------------------------------------
@bp.route("/t/<code>")
@public
def ticket_status(code: str) -> str:
    ticket = services.ticket_by_code(code)
    if ticket is None:
        abort(404)
    ahead = services.people_ahead(ticket)
    shown = status.public_status(ticket, ahead, services.estimated_wait_minutes(ticket.category, ahead),
                                 is_today=ticket.office_day == today())
    return page_or_fragment("queue/status.html", "queue/_status.html", ticket=ticket, status=shown)


# -- counter operator -----------------------------------------------------------------------
def _counter_context(counter: Counter) -> dict[str, Any]:
    current, settings = services.current_ticket(counter), services.settings()
    categories = services.list_categories(active_only=True)
    return {
        "counter": counter, "current": current, "waiting": services.waiting_at(counter),
        "held": services.held_tickets(counter), "settings": settings,
        "actions": status.counter_actions(current, settings) if current else None,
        "categories": categories,
        "counters": core_services.list_counters(), "issue_form": _issue_form(categories), "now_dt": now(),
        "reception_procedures": catalog.procedures_for_ticket(current.category.code) if current else [],
    }


def _issue_form(categories: list[ServiceCategory] | None = None) -> StaffIssueForm:
    form = StaffIssueForm(prefix="issue")
    active = services.list_categories(True) if categories is None else categories
    form.category_id.choices = choices((c.id, f"{c.letter} {c.name}") for c in active)
    return form


@bp.route("/queue/counter")
@roles(*COUNTER_STAFF)
def counter() -> str:
    mine = desk.my_counter()
    if mine is None:
        return render_template("queue/counter_select.html", counters=[
            c for c in core_services.list_counters() if c.active])
    return page_or_fragment("queue/counter.html", "queue/_counter_waiting.html", **_counter_context(mine))


@bp.route("/queue/counter/select", methods=["POST"])
@roles(*COUNTER_STAFF)
def select_counter() -> Response:
    chosen = db.session.get(Counter, request.form.get("counter_id", type=integer) or 0)
    if chosen is None or not chosen.active:
        desk.choose_counter(None)
        flash("窓口を選んでください。", "error")
    else:
        desk.choose_counter(chosen)
        flash(f"{chosen.label}（{chosen.name}）で呼出を行います。", "success")
    return redirect(url_for("queue.counter"), 303)


def _counter_action(action: Callable[[Counter], str | None]) -> Response:
    mine = desk.my_counter()
    if mine is None:
        flash("先に窓口を選んでください。", "error")
        return redirect(url_for("queue.counter"), 303)
    try:
        message = action(mine)
    except services.QueueError as exc:
        discard()
        flash(exc.message, "error")
    else:
        if message:
            flash(message, "success")
    return redirect(url_for("queue.counter"), 303)


def _ticket(ticket_id: int) -> Ticket:
    ticket = db.get_or_404(Ticket, ticket_id)
    if ticket.office_day != today():
        abort(404)
    return ticket


def _finish_current() -> bool:
    return request.form.get("finish_current") == "1"


@bp.route("/queue/counter/call-next", methods=["POST"])
@roles(*COUNTER_STAFF)
def call_next() -> Response:
    def act(counter: Counter) -> str:
        ticket = services.call_next(counter, _by(), finish_current=_finish_current())
        return f"{ticket.label}を呼び出しました。" if ticket else "お待ちの方はいません。"
    return _counter_action(act)


@bp.route("/queue/tickets/<int:ticket_id>/call", methods=["POST"])
@roles(*COUNTER_STAFF)
def call_ticket(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)

    def run(counter: Counter) -> str:
        services.call_ticket(ticket, counter, _by())
        return f"{ticket.label}を呼び出しました。"
    return _counter_action(run)


def _ticket_action(ticket_id: int, act: Callable[[Ticket, User | None], object], message: str) -> Response:
    ticket = _ticket(ticket_id)

    def run(counter: Counter) -> str:
        services.require_at_counter(ticket, counter)
        act(ticket, _by())
        return message.format(label=ticket.label)
    return _counter_action(run)


@bp.route("/queue/tickets/<int:ticket_id>/recall", methods=["POST"])
@roles(*COUNTER_STAFF)
def recall(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.recall, "{label}を再呼出しました。")


@bp.route("/queue/tickets/<int:ticket_id>/start", methods=["POST"])
@roles(*COUNTER_STAFF)
def start(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.start_service, "{label}の対応を始めました。")


@bp.route("/queue/tickets/<int:ticket_id>/hold", methods=["POST"])
@roles(*COUNTER_STAFF)
def hold(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.hold, "{label}を保留にしました。")


@bp.route("/queue/tickets/<int:ticket_id>/no-show", methods=["POST"])
@roles(*COUNTER_STAFF)
def no_show(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.no_show, "{label}を不在にしました。")


@bp.route("/queue/tickets/<int:ticket_id>/finish", methods=["POST"])
@roles(*COUNTER_STAFF)
def finish(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.finish, "{label}の対応を完了しました。")


@bp.route("/queue/tickets/<int:ticket_id>/to-cashier", methods=["POST"])
@roles(*COUNTER_STAFF)
def to_cashier(ticket_id: int) -> Response:
    return _ticket_action(ticket_id, services.send_to_cashier, "{label}を会計待ちにしました。")


@bp.route("/queue/tickets/<int:ticket_id>/resume", methods=["POST"])
@roles(*COUNTER_STAFF)
def resume(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)

    def run(counter: Counter) -> str:
        services.require_at_counter(ticket, counter)
        services.resume(ticket, counter, _by(), finish_current=_finish_current())
        return f"{ticket.label}を再度呼び出しました。"
    return _counter_action(run)


@bp.route("/queue/tickets/<int:ticket_id>/transfer", methods=["POST"])
@roles(*COUNTER_STAFF)
def transfer(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)
    target = request.form.get("target", "")
    kind, _, raw_id = target.partition(":")
    category = db.session.get(ServiceCategory, int(raw_id)) if kind == "category" and raw_id.isdigit() else None
    to_counter = db.session.get(Counter, int(raw_id)) if kind == "counter" and raw_id.isdigit() else None

    def run(counter: Counter) -> str:
        services.transfer(ticket, category=category, counter=to_counter, by=_by(), desk=counter)
        where = category.name if category else to_counter.label if to_counter else ""
        return f"{ticket.label}を{where}へ転送しました。"
    return _counter_action(run)


@bp.route("/queue/tickets", methods=["POST"])
@roles(*COUNTER_STAFF)
def staff_issue() -> Response:
    form = _issue_form()
    if not form.validate_on_submit():
        flash("業務を選んでください。", "error")
        return redirect(url_for("queue.counter"), 303)
    category = db.get_or_404(ServiceCategory, form.category_id.data)

    def run(counter: Counter) -> str:
        ticket = services.issue_ticket(category, priority=form.priority.data, by=_by(), check_hours=False)
        printed = _print(ticket, boards.counter_terminal(counter, DeviceKind.printer))
        mark = f"（優先：{ticket.priority.label}）" if ticket.priority else ""
        note = "番号札を印刷しました。" if printed else "この窓口にプリンタがないため、番号をお伝えください。"
        return f"{ticket.label}{mark}を発券しました。{note}"
    return _counter_action(run)


# -- cashier call (会計呼出): the register issue reuses these services ------------------------
CASHIER_PLACE_KEY = "queue_cashier_place"


def _cashier_place() -> str:
    """Where this register calls visitors to (e.g. 会計窓口, レジ2), remembered in the session."""
    return session.get(CASHIER_PLACE_KEY) or services.settings().cashier_place


@bp.route("/queue/cashier/place", methods=["POST"])
@roles(*CASHIER_STAFF)
def cashier_place() -> Response:
    place = request.form.get("place", "").strip()
    if not place or len(place) > 30:
        flash("呼出先を30文字以内で入力してください。", "error")
    else:
        session[CASHIER_PLACE_KEY] = place
        flash(f"呼出先を「{place}」にしました。", "success")
    return redirect(url_for("queue.cashier"), 303)


@bp.route("/queue/cashier")
@roles(*CASHIER_STAFF)
def cashier() -> str:
    place = _cashier_place()
    return page_or_fragment("queue/cashier.html", "queue/_cashier_waiting.html", place=place,
                            waiting=services.cashier_waiting_list(), called=services.cashier_current(place))


def _cashier_action(act: Callable[[], str], *, calls: bool = True) -> Response:
    closed = register_services.closed_for_calls(_cashier_place()) if calls else None
    if closed:
        flash(f"{closed}の本日の日計は締め済みです。会計の呼出はできません。", "warning")
        return redirect(url_for("queue.cashier"), 303)
    try:
        message = act()
    except services.QueueError as exc:
        discard()
        flash(exc.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for("queue.cashier"), 303)


@bp.route("/queue/cashier/call-next", methods=["POST"])
@roles(*CASHIER_STAFF)
def cashier_call_next() -> Response:
    def act() -> str:
        ticket = services.call_next_cashier(_cashier_place(), _by())
        return f"{ticket.label}を会計に呼び出しました。" if ticket else "会計待ちの方はいません。"
    return _cashier_action(act)


@bp.route("/queue/tickets/<int:ticket_id>/cashier-call", methods=["POST"])
@roles(*CASHIER_STAFF)
def cashier_call(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)
    return _cashier_action(
        lambda: f"{services.call_cashier_ticket(ticket, _cashier_place(), _by()).label}を会計に呼び出しました。")


@bp.route("/queue/tickets/<int:ticket_id>/cashier-recall", methods=["POST"])
@roles(*CASHIER_STAFF)
def cashier_recall(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)
    return _cashier_action(lambda: f"{services.recall_cashier(ticket, _by()).label}を再呼出しました。")


@bp.route("/queue/tickets/<int:ticket_id>/cashier-finish", methods=["POST"])
@roles(*CASHIER_STAFF)
def cashier_finish(ticket_id: int) -> Response:
    ticket = _ticket(ticket_id)

    def act() -> str:
        services.finish_cashier(ticket, _by())
        return f"{ticket.label}の会計を完了しました。"
    return _cashier_action(act, calls=False)


# -- displays ----------------------------------------------------------------------------------
BOARD_TEMPLATES = {Board.queue: "queue/display_queue.html", Board.cashier: "queue/display_cashier.html"}


def _render_call(data: dict[str, Any]) -> str:
    """The call fragment from the event alone (no context processors, so no database read),
    rendered once per process for all its displays."""
    return streams.rendered_call(data, lambda: current_app.jinja_env.get_template(
        "queue/_display_call.html").render(call=data, fresh=True))


def _board_update(board: str) -> Callable[[], str]:
    def render() -> str:
        return render_template(f"queue/_display_{board}_side.html", **_board_context(board))
    return render


def _still_called(board: str) -> dict[str, Any]:
    """The numbers still called on a board, as of its call `seq`: a display takes the others
    out of 「ただいまお呼びしている番号」 once their visitor came or left (issue 15 §3). The
    number is read first, so a call committed in between is never taken for a finished one."""
    seq = services.last_call_seq(board)
    return {"called_seq": seq, "called_labels": boards.still_called_labels(board, now().date())}


def _board_context(board: str) -> dict[str, Any]:
    context = _still_called(board)
    if board == Board.queue:
        counts = services.waiting_counts()
        categories = services.list_categories(active_only=True)
        return {"rows": [{"category": c, "waiting": counts.get(c.id, 0),
                          "wait_minutes": services.estimated_wait_minutes(c, counts.get(c.id, 0))}
                         for c in categories], **_office_state(), **context}
    return {"waiting": services.cashier_waiting_list(), **_office_state(), **context}


def _latest_per_number(calls: Iterable[Call], keep: int = 12) -> list[dict[str, Any]]:
    """The latest call of each number, newest first: a recall is not a second line (issue 15 §3)."""
    seen: set[str] = set()
    shown = []
    for call in calls:
        data = services.call_data(call)
        if data["label"] not in seen:
            seen.add(data["label"])
            shown.append(data)
    return shown[:keep]


@bp.route("/displays/<any(queue, cashier):board>")
@public
def display(board: str) -> str:
    since = services.last_call_seq(board)  # the page shows the calls up to it, the stream the rest
    calls = _latest_per_number(services.latest_calls(board, limit=24, upto_seq=since))
    context = _board_context(board)
    now_calls = [c for c in calls if c["label"] in context["called_labels"]]
    city = core_services.get_municipality()
    return render_template(BOARD_TEMPLATES[board], board=board, calls=calls, now_calls=now_calls, city=city,
                           since=since, now_hm=now().strftime("%-H:%M"),
                           terminal=displays.display_terminal(request.args.get("terminal"), board),
                           ping_seconds=displays.PING_SECONDS, **context)


@bp.route("/displays/<any(queue, cashier):board>/stream")
@public
def display_stream(board: str) -> Response:
    """The display's stream; `?only=waiting` leaves out the calls (kiosk and staff pages that
    only refresh their lists)."""
    with_calls = request.args.get("only") != "waiting"
    return streams.response(streams.StreamSpec(board=board, render_call=_render_call if with_calls else None,
                                               render_update=_board_update(board)))


# -- statistics -------------------------------------------------------------------------------
def _day_arg() -> date:
    raw = request.args.get("day", "")
    try:
        return date.fromisoformat(raw) if raw else today()
    except ValueError:
        abort(400)


@bp.route("/queue/dashboard")
@roles(*SUPERVISORS)
def dashboard() -> str:
    day = _day_arg()
    summary = stats.summarize(day)
    counters = core_services.list_counters()
    at_counters = {c.id: services.current_ticket(c) for c in counters} if day == today() else {}
    context = {"day": day, "stats": summary, "counters": counters, "at_counters": at_counters,
               "is_today": day == today(), "day_label": calendar.day_label(day),
               "cashier_waiting": services.cashier_waiting_list(day)}
    return page_or_fragment("queue/dashboard.html", "queue/_dashboard_body.html", **context)


def _csv(body: str, filename: str) -> Response:
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={filename}"})


@bp.route("/queue/dashboard/tickets.csv")
@roles(*SUPERVISORS)
def tickets_csv() -> Response:
    day = _day_arg()
    return _csv(stats.export_tickets_csv(day, by=_by()), f"tickets-{day.isoformat()}.csv")


@bp.route("/queue/dashboard/summary.csv")
@roles(*SUPERVISORS)
def summary_csv() -> Response:
    day = _day_arg()
    return _csv(stats.export_summary_csv(day, by=_by()), f"queue-summary-{day.isoformat()}.csv")


# -- settings -----------------------------------------------------------------------------------
def _category_form(category: ServiceCategory | None = None) -> CategoryForm:
    form = CategoryForm(obj=category)
    form.counter_ids.choices = choices((c.id, f"{c.label} {c.name}") for c in core_services.list_counters())
    if category is not None and request.method == "GET":
        form.counter_ids.data = [c.id for c in category.counters]
    return form


def _save_category(form: CategoryForm, category: ServiceCategory | None) -> ServiceCategory | None:
    try:
        return services.save_category(category, input_from(
            form, services.CategoryInput, counter_ids=tuple(form.counter_ids.data or ()),
            minutes_per_ticket=form.minutes_per_ticket.data or 10, sort_order=form.sort_order.data or 0,
            active=bool(form.active.data)), by=_by())
    except services.QueueError as exc:
        show_refusal(form, exc, fallback="code")
        return None


@bp.route("/queue/admin/categories", methods=["GET", "POST"])
@roles(*SETTINGS_STAFF)
def categories() -> str | Response | tuple[str, int]:
    form = _category_form()
    settings_form = SettingsForm(obj=services.settings(), prefix="settings")
    if form.validate_on_submit() and _save_category(form, None):
        flash("業務を登録しました。", "success")
        return redirect(url_for("queue.categories"), 303)
    return render_template("queue/categories.html", form=form, settings_form=settings_form,
                           categories=services.list_categories()), 422 if form.errors else 200


@bp.route("/queue/admin/categories/<int:category_id>", methods=["GET", "POST"])
@roles(*SETTINGS_STAFF)
def edit_category(category_id: int) -> str | Response | tuple[str, int]:
    category = db.get_or_404(ServiceCategory, category_id)
    form = _category_form(category)
    if form.validate_on_submit() and _save_category(form, category):
        flash(f"業務「{category.name}」を保存しました。", "success")
        return redirect(url_for("queue.categories"), 303)
    return render_template("queue/category_edit.html", form=form, category=category), (
        422 if form.errors else 200)


@bp.route("/queue/admin/settings", methods=["POST"])
@roles(*SETTINGS_STAFF)
def save_settings() -> str | Response | tuple[str, int]:
    settings_form = SettingsForm(prefix="settings")
    if settings_form.validate_on_submit():
        try:
            services.save_settings(input_from(settings_form, services.SettingsInput,
                                              recalls_before_no_show=settings_form.recalls_before_no_show.data or 0),
                                   by=_by())
        except services.QueueError as exc:
            show_refusal(settings_form, exc)
        else:
            flash("呼出の設定を保存しました。", "success")
            return redirect(url_for("queue.categories"), 303)
    return render_template("queue/categories.html", form=_category_form(), settings_form=settings_form,
                           categories=services.list_categories()), 422


from app.queue import display_views  # noqa: E402,F401
