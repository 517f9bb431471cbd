"""/devices/sim: what the simulated devices did, and the hands that work them (insert a My
Number card, place a seal on the scanner). Only meaningful with YAKUBA_SIMULATE_DEVICES."""

from __future__ import annotations

import random
from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import ALL_STAFF, roles_in_demo, serves
from app.auth.models import Programme
from app.config import settings
from app.devices import services
from app.devices.models import Terminal, TerminalKind
from app.devices.pad_pages import answer_pad, pad_context, pad_view
from app.web.htmx import page_or_fragment
from hardware.call_board import simulated_call_boards
from hardware.card_reader import Person, insert_card, make_my_number, remove_card, slot_state
from hardware.printer import page_png, simulated_printers
from hardware.scanner.simulator import clear_slot, place_seal
from hardware.scanner.simulator import slot_state as scanner_state

bp = serves(Blueprint("device_sim", __name__, url_prefix="/devices/sim"), Programme.counter)
SIM_ROLES = roles_in_demo(("supervisor", "admin"), ALL_STAFF)
PAGES_SHOWN = 8
PAD = ("device_sim.pad", "device_sim.pad_pin")


def _counter_slots() -> list[tuple[str, str]]:
    return [(t.code, t.name) for t in services.list_terminals() if t.kind == TerminalKind.counter_pc and t.active]


def _printers() -> list[tuple[str, list[tuple[int, str]]]]:
    shown = []
    for name, printer in sorted(simulated_printers().items()):
        pages = printer.pages
        recent = [(i, printer.page_text(i)) for i in range(len(pages) - 1, -1, -1)][:PAGES_SHOWN]
        shown.append((name, recent))
    return shown


@bp.route("")
@SIM_ROLES
def index() -> str:
    slots = _counter_slots()
    return page_or_fragment(
        "devices/sim.html", "devices/_sim_output.html",
        simulating=settings().SIMULATE_DEVICES,
        printers=_printers(),
        boards=sorted(simulated_call_boards().items()),
        cards=[(code, name, slot_state(code)) for code, name in slots],
        scanners=[(code, name, scanner_state(code)) for code, name in slots],
        pads=[(name, pad_context(services.terminal_by_code(code), PAD, code=code)) for code, name in slots],
        slots=slots,
        zip=zip,
    )


@bp.route("/printers/<name>/<int:index>.png")
@SIM_ROLES
def printer_page(name: str, index: int) -> Response:
    printer = simulated_printers().get(name)
    if printer is None or not 0 <= index < len(printer.pages):
        abort(404)
    return Response(page_png(printer.pages[index]), mimetype="image/png",
                    headers={"Cache-Control": "no-store"})


def _known_slot(code: str) -> str:
    if code not in dict(_counter_slots()):
        abort(404)
    return code


def _slot_name(code: str) -> str:
    """The terminal's Japanese name (窓口1番), not its code (counter-1), in a message (issue 15 §5)."""
    return dict(_counter_slots())[code]


@bp.route("/cards", methods=["POST"])
@SIM_ROLES
def insert() -> BaseResponse:
    form = request.form
    slot = _known_slot(form.get("slot", ""))
    try:
        birth = date.fromisoformat(form.get("birth_date", ""))
        pin = form.get("pin", "")
        tries = 0 if form.get("blocked") else 3
        read_seconds = float(form.get("read_seconds") or 0)
        person = Person(name=form.get("name", "").strip(), address=form.get("address", "").strip(),
                        birth_date=birth, sex=form.get("sex", "9"),
                        my_number=make_my_number("".join(random.choices("0123456789", k=11))))  # noqa: S311
        if not person.name or not person.address:
            raise ValueError("name and address")
        insert_card(slot, person, pin if len(pin) == 4 and pin.isdigit() else "1234", tries, read_seconds)
    except ValueError:
        flash("カードの内容（氏名・住所・生年月日・性別）と読み取り時間（0〜60秒）を確認してください。", "error")
    else:
        flash(f"{_slot_name(slot)}のカードリーダーに{person.name}さんのカードを挿しました"
              f"{'（暗証番号ロック状態）' if tries == 0 else ''}"
              f"{f'（読み取りに{read_seconds:g}秒かかるリーダー）' if read_seconds else ''}。", "success")
    return redirect(url_for("device_sim.index"), 303)


@bp.route("/cards/remove", methods=["POST"])
@SIM_ROLES
def remove() -> BaseResponse:
    remove_card(_known_slot(request.form.get("slot", "")))
    flash("カードを抜きました。", "success")
    return redirect(url_for("device_sim.index"), 303)


@bp.route("/seals", methods=["POST"])
@SIM_ROLES
def seal() -> BaseResponse:
    form = request.form
    slot = _known_slot(form.get("slot", ""))
    try:
        place_seal(slot, side_mm=float(form.get("side_mm", "15")), shape=form.get("shape", "round"),
                   rotation_deg=float(form.get("rotation_deg", "0")), blur=float(form.get("blur", "0")),
                   missing_outline_ratio=float(form.get("missing_outline_ratio", "0")),
                   text=form.get("text", "山田").strip() or "山田")
    except (TypeError, ValueError):
        flash("印影の条件（大きさ・回転・ぼかし・欠け）を数値で入力してください。", "error")
    else:
        flash(f"{_slot_name(slot)}のスキャナに印影を置きました。窓口画面から読み取れます。", "success")
    return redirect(url_for("device_sim.index"), 303)


@bp.route("/seals/clear", methods=["POST"])
@SIM_ROLES
def clear_seal() -> BaseResponse:
    clear_slot(_known_slot(request.form.get("slot", "")))
    return redirect(url_for("device_sim.index"), 303)


def _slot_terminal(code: str) -> Terminal:
    terminal = services.terminal_by_code(_known_slot(code))
    if terminal is None:
        abort(404)
    return terminal


@bp.route("/pads/<code>")
@SIM_ROLES
def pad(code: str) -> tuple[str, int]:
    """The visitor's PIN pad of a simulated counter PC (the same pad as /devices/pad)."""
    return pad_view(_slot_terminal(code), PAD, code=code)


@bp.route("/pads/<code>/<int:job_id>/pin", methods=["POST"])
@SIM_ROLES
def pad_pin(code: str, job_id: int) -> tuple[str, int]:
    return answer_pad(_slot_terminal(code), job_id, PAD, code=code)
