"""Read a My Number card's card face information in a PC/SC reader and print it as JSON.

    python -m hardware.cardread --list
    python -m hardware.cardread --reader "Virtual PCD 00 00" --pin-stdin < pin.txt

The number is printed only with ``--show-number``. Exit status 0 on success, 1 on failure.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from hardware.card_reader.errors import CardReaderError
from hardware.card_reader.pcsc import PcscReader, list_readers
from hardware.card_reader.reader import read_card_face, validate_pin


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hardware.cardread", description="My Number card face information reader"
    )
    parser.add_argument("--reader", help="PC/SC reader name (default: the first reader)")
    parser.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    parser.add_argument("--show-number", action="store_true", help="print the individual number")
    parser.add_argument("--list", action="store_true", help="list PC/SC readers and exit")
    return parser


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    return getpass.getpass("暗証番号（4桁）: ")


def _print_readers() -> None:
    for name in list_readers():
        print(name)


def _read(reader_name: str | None, pin: str, show_number: bool) -> dict[str, object]:
    with PcscReader(reader_name) as reader:
        face = read_card_face(reader, pin)
    result: dict[str, object] = {
        "name": face.name,
        "address": face.address,
        "birth_date": face.birth_date.isoformat(),
        "sex": {"code": face.sex, "label": face.sex_label},
        "my_number_valid": face.my_number_valid,
    }
    if show_number:
        result["my_number"] = face.my_number.reveal()
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.list:
            _print_readers()
            return 0
        pin = validate_pin(_read_pin(args.pin_stdin))
        result = _read(args.reader, pin, args.show_number)
    except CardReaderError as exc:
        print(json.dumps({"error": exc.to_result()}, ensure_ascii=False), file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
