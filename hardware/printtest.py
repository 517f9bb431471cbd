"""python -m hardware.printtest URL: print a Japanese test receipt to check a printer's setup."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from hardware.printer import (
    Cut,
    Document,
    Feed,
    PrinterOffline,
    QRCode,
    Rule,
    Text,
    open_printer,
    simulated_printer,
)


def sample_receipt(now: datetime) -> Document:
    return Document().add(
        Text("印刷テスト", bold=True, width=2, height=2, align="center"),
        Text(now.strftime("%Y-%m-%d %H:%M"), align="center"),
        Rule("─"),
        Text("住民票の写し　1通　300円"),
        Text("印鑑登録証明書　1通　300円"),
        Rule("-"),
        Text("合計　600円", bold=True, align="right"),
        Feed(1),
        QRCode("https://yakuba.example/printtest"),
        Text("ｶﾀｶﾅ ABC 123 漢字", align="center"),
        Cut(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hardware.printtest")
    parser.add_argument("url", help="escpos+tcp://HOST:9100, escpos+usb://VID:PID, "
                        "escpos+serial:///dev/ttyUSB0?baudrate=38400, or sim://NAME")
    args = parser.parse_args(argv)
    try:
        printer = open_printer(args.url)
        sent = printer.print_document(sample_receipt(datetime.now()))
    except (PrinterOffline, ValueError) as exc:
        print(f"printtest: {exc}", file=sys.stderr)
        return 1
    print(f"printtest: sent {sent} bytes to {args.url}")
    if args.url.startswith("sim://"):
        sim = simulated_printer(args.url.removeprefix("sim://").split("?")[0])
        print(sim.wait_for_pages(1) and sim.page_text(-1))
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
