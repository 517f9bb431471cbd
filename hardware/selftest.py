"""python -m hardware.selftest: every device simulator end to end, one line per device kind.

The printer is driven through the real ``escpos.printer.Network`` class in both modes, the
call board through pyserial's ``socket://``; card reader and scanner run their own
``selftest.run()`` when those packages are installed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from hardware.call_board import SimulatedCallBoard, open_call_board
from hardware.printer import Cut, Document, DrawerKick, QRCode, SimulatedPrinter, Text, open_printer

LINE = "住民票の写し　1通　300円"


def _receipt() -> Document:
    return Document().add(Text(LINE), QRCode("SELFTEST"), DrawerKick(), Cut())


def check_printer() -> str:
    with SimulatedPrinter("selftest") as sim:
        open_printer(sim.url + "?mode=kanji").print_document(_receipt())
        (kanji,) = sim.wait_for_pages(1)
        if LINE not in kanji.text_lines or kanji.qr_codes != ["SELFTEST"]:
            raise AssertionError(f"kanji page decoded as {kanji.text_lines}")
        if kanji.drawer_kicks != [2]:
            raise AssertionError("no drawer kick decoded")
        open_printer(sim.url + "?mode=raster").print_document(_receipt())
        raster = sim.wait_for_pages(2)[1]
        if [image.width for image in raster.images] != [512]:
            raise AssertionError("raster line not decoded as a 512-dot image")
    return f"ok kanji and raster over TCP port {sim.port} ({len(sim.received)} bytes)"


def check_call_board() -> str:
    with SimulatedCallBoard("selftest") as board:
        open_call_board(board.url).show("受付番号 105 番")
        if board.text != "受付番号 105 番":
            raise AssertionError(f"board shows {board.text!r}")
    return f"ok frame acknowledged over socket://127.0.0.1:{board.port}"


def optional_check(module: str) -> Callable[[], str]:
    def run() -> str:
        try:
            selftest = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and module.startswith(exc.name):
                return f"skipped ({module} not installed)"
            raise
        return str(selftest.run())

    return run


CHECKS: dict[str, Callable[[], str]] = {
    "printer": check_printer,
    "call_board": check_call_board,
    "card_reader": optional_check("hardware.card_reader.selftest"),
    "scanner": optional_check("hardware.scanner.selftest"),
}


def main() -> int:
    failed = False
    for kind, check in CHECKS.items():
        try:
            print(f"{kind}: {check()}", flush=True)
        except Exception as exc:  # report every device, then fail as a whole
            failed = True
            print(f"{kind}: FAILED {type(exc).__name__}: {exc}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
