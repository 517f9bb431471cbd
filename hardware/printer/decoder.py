"""An ESC/POS decoder for the printer simulator: bytes in, printed pages out.

It follows the Epson ESC/POS command reference for the commands a receipt printer with a
Kanji font understands, and keeps printer state (Kanji mode, code system, emphasis, size,
justification) across ``feed()`` calls, as a printer keeps it across connections. A command
cut short at the end of a chunk waits for the next chunk. Anything it does not know is kept as
an ``Unknown`` item, so arbitrary input never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageOps

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
LF, CR, HT, FF = 0x0A, 0x0D, 0x09, 0x0C
ALIGN_NAMES = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"


@dataclass(frozen=True)
class QR:
    data: str
    size: int = 3


@dataclass(frozen=True)
class Drawer:
    pin: int


@dataclass(frozen=True)
class CutMark:
    partial: bool = False


@dataclass(frozen=True, eq=False)
class Raster:
    image: Image.Image
    align: str = "left"

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


@dataclass(frozen=True)
class Unknown:
    data: bytes


Item = Line | QR | Drawer | CutMark | Raster | Unknown


@dataclass
class Page:
    items: list[Item] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        return [i for i in self.items if isinstance(i, Line)]

    @property
    def events(self) -> list[Item]:
        return [i for i in self.items if not isinstance(i, Line)]

    @property
    def text_lines(self) -> list[str]:
        return [line.text for line in self.lines]

    @property
    def qr_codes(self) -> list[str]:
        return [i.data for i in self.items if isinstance(i, QR)]

    @property
    def images(self) -> list[Image.Image]:
        return [i.image for i in self.items if isinstance(i, Raster)]

    @property
    def drawer_kicks(self) -> list[int]:
        return [i.pin for i in self.items if isinstance(i, Drawer)]

    @property
    def cut(self) -> bool:
        return any(isinstance(i, CutMark) for i in self.items)

    @property
    def unknown(self) -> list[bytes]:
        return [i.data for i in self.items if isinstance(i, Unknown)]


class NeedMore(Exception):
    """The buffer ends inside a command."""


@dataclass
class _State:
    kanji: bool = False
    shift_jis: bool = False
    bold: bool = False
    width: int = 1
    height: int = 1
    align: str = "left"
    code_table: int = 0
    qr_data: bytes = b""
    qr_size: int = 3


class EscPosDecoder:
    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.current = Page()
        self.status_requests: list[int] = []
        self._state = _State()
        self._pending = b""
        self._line = bytearray()
        self._line_kanji: list[bool] = []
        self._line_attrs: Line | None = None

    # -- public -------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        buf = self._pending + bytes(data)
        pos = 0
        while pos < len(buf):
            try:
                pos = self._step(buf, pos)
            except NeedMore:
                break
        self._pending = buf[pos:]

    def finish(self) -> None:
        """Flush: a command cut short for good becomes ``Unknown``; a pending line prints."""
        if self._pending:
            self.current.items.append(Unknown(self._pending))
            self._pending = b""
        self._flush_line(force=False)

    def all_pages(self) -> list[Page]:
        pages = list(self.pages)
        if self.current.items or self._line:
            pending = Page(list(self.current.items))
            if self._line:
                pending.items.append(self._make_line())
            pages.append(pending)
        return pages

    # -- dispatch -----------------------------------------------------------------------
    def _step(self, buf: bytes, pos: int) -> int:
        byte = buf[pos]
        handler = self._controls.get(byte)
        if handler is not None:
            return handler(self, buf, pos)
        if byte < 0x20 or byte == 0x7F:
            self._unknown(buf[pos : pos + 1])
            return pos + 1
        return self._text(buf, pos)

    def _text(self, buf: bytes, pos: int) -> int:
        byte = buf[pos]
        size = 2 if self._state.kanji and self._double_byte_lead(byte) else 1
        _need(buf, pos, size)
        self._add_chars(buf[pos : pos + size], kanji=size == 2)
        return pos + size

    def _double_byte_lead(self, byte: int) -> bool:
        if self._state.shift_jis:
            return 0x81 <= byte <= 0x9F or 0xE0 <= byte <= 0xFC
        return 0x21 <= byte <= 0x7E

    # -- control bytes --------------------------------------------------------------------
    def _lf(self, buf: bytes, pos: int) -> int:
        self._flush_line(force=True)
        return pos + 1

    def _ignore(self, buf: bytes, pos: int) -> int:
        return pos + 1

    def _tab(self, buf: bytes, pos: int) -> int:
        self._add_chars(b" ", kanji=False)
        return pos + 1

    def _esc(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 2)
        cmd = buf[pos + 1]
        simple = ESC_ARGS.get(cmd)
        if cmd == ord("@"):
            self._flush_line(force=False)
            self._state = _State()
            return pos + 2
        if cmd in (ord("E"), ord("G"), ord("a"), ord("!"), ord("d"), ord("t")):
            _need(buf, pos, 3)
            self._esc_with_arg(cmd, buf[pos + 2])
            return pos + 3
        if cmd == ord("p"):
            _need(buf, pos, 5)
            self._flush_line(force=False)
            self.current.items.append(Drawer(2 if buf[pos + 2] in (0, 48) else 5))
            return pos + 5
        if cmd in (ord("i"), ord("m")):
            self._cut(partial=True)
            return pos + 2
        if cmd == ord("*"):
            _need(buf, pos, 5)
            dots = buf[pos + 3] + 256 * buf[pos + 4]
            length = 5 + dots * (1 if buf[pos + 2] in (0, 1) else 3)
            _need(buf, pos, length)
            self._unknown(buf[pos : pos + length])
            return pos + length
        if simple is not None:
            _need(buf, pos, 2 + simple)
            return pos + 2 + simple
        self._unknown(buf[pos : pos + 2])
        return pos + 2

    def _esc_with_arg(self, cmd: int, arg: int) -> None:
        state = self._state
        if cmd in (ord("E"), ord("G")):
            state.bold = bool(arg & 1)
        elif cmd == ord("a"):
            state.align = ALIGN_NAMES.get(arg, state.align)
        elif cmd == ord("!"):
            state.bold = bool(arg & 0x08)
            state.height = 2 if arg & 0x10 else 1
            state.width = 2 if arg & 0x20 else 1
        elif cmd == ord("d"):
            for _ in range(arg):
                self._flush_line(force=True)
        elif cmd == ord("t"):
            state.code_table = arg

    def _gs(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 2)
        cmd = buf[pos + 1]
        if cmd == ord("!"):
            _need(buf, pos, 3)
            self._state.width = ((buf[pos + 2] >> 4) & 0x07) + 1
            self._state.height = (buf[pos + 2] & 0x07) + 1
            return pos + 3
        if cmd == ord("V"):
            return self._gs_cut(buf, pos)
        if cmd == ord("("):
            return self._gs_paren(buf, pos)
        if cmd == ord("v"):
            return self._gs_raster(buf, pos)
        if cmd == ord("k"):
            return self._gs_barcode(buf, pos)
        simple = GS_ARGS.get(cmd)
        if simple is not None:
            _need(buf, pos, 2 + simple)
            return pos + 2 + simple
        self._unknown(buf[pos : pos + 2])
        return pos + 2

    def _gs_cut(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 3)
        mode = buf[pos + 2]
        length = 4 if mode >= 65 else 3
        _need(buf, pos, length)
        self._cut(partial=mode in (1, 49, 66))
        return pos + length

    def _gs_paren(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 5)
        fn = buf[pos + 2]
        size = buf[pos + 3] + 256 * buf[pos + 4]
        _need(buf, pos, 5 + size)
        body = buf[pos + 5 : pos + 5 + size]
        if fn == ord("k") and len(body) >= 2 and body[0] == ord("1"):
            self._qr_function(body)
        else:
            self._unknown(buf[pos : pos + 5 + size])
        return pos + 5 + size

    def _qr_function(self, body: bytes) -> None:
        fn, args = body[1], body[2:]
        if fn == 67 and args:
            self._state.qr_size = args[0]
        elif fn == 80:
            self._state.qr_data = args[1:]
        elif fn == 81:
            self._flush_line(force=False)
            data = self._state.qr_data.decode("utf-8", errors="replace")
            self.current.items.append(QR(data, self._state.qr_size))

    def _gs_raster(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 8)
        if buf[pos + 2] != ord("0"):
            self._unknown(buf[pos : pos + 3])
            return pos + 3
        width_bytes = buf[pos + 4] + 256 * buf[pos + 5]
        height = buf[pos + 6] + 256 * buf[pos + 7]
        end = pos + 8 + width_bytes * height
        _need(buf, end - 1, 1)
        self._flush_line(force=False)
        if width_bytes and height:
            bits = Image.frombytes("1", (width_bytes * 8, height), buf[pos + 8 : end])
            image = ImageOps.invert(bits.convert("L")).convert("1")
            self.current.items.append(Raster(image, self._state.align))
        return end

    def _gs_barcode(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 3)
        kind = buf[pos + 2]
        if kind <= 6:
            end = buf.find(b"\x00", pos + 3)
            if end < 0:
                raise NeedMore
            length = end + 1 - pos
        else:
            _need(buf, pos, 4)
            length = 4 + buf[pos + 3]
            _need(buf, pos, length)
        self._flush_line(force=False)
        self._unknown(buf[pos : pos + length])
        return pos + length

    def _fs(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 2)
        cmd = buf[pos + 1]
        if cmd == ord("&"):
            self._state.kanji = True
            return pos + 2
        if cmd == ord("."):
            self._state.kanji = False
            return pos + 2
        if cmd == ord("C"):
            _need(buf, pos, 3)
            self._state.shift_jis = buf[pos + 2] in (1, 49)
            return pos + 3
        if cmd == ord("2"):
            _need(buf, pos, 4 + 72)
            self._unknown(buf[pos : pos + 76])
            return pos + 76
        simple = FS_ARGS.get(cmd)
        if simple is not None:
            _need(buf, pos, 2 + simple)
            return pos + 2 + simple
        self._unknown(buf[pos : pos + 2])
        return pos + 2

    def _dle(self, buf: bytes, pos: int) -> int:
        _need(buf, pos, 2)
        cmd = buf[pos + 1]
        if cmd in (0x04, 0x05):
            _need(buf, pos, 3)
            if cmd == 0x04:
                self.status_requests.append(buf[pos + 2])
            return pos + 3
        if cmd == 0x14:
            _need(buf, pos, 3)
            length = 5 if buf[pos + 2] == 1 else 3
            _need(buf, pos, length)
            if buf[pos + 2] == 1:
                self._flush_line(force=False)
                self.current.items.append(Drawer(2 if buf[pos + 3] == 0 else 5))
            return pos + length
        self._unknown(buf[pos : pos + 2])
        return pos + 2

    _controls: dict[int, Callable[[EscPosDecoder, bytes, int], int]] = {
        LF: _lf,
        CR: _ignore,
        FF: _lf,
        HT: _tab,
        ESC: _esc,
        GS: _gs,
        FS: _fs,
        DLE: _dle,
    }

    # -- lines and pages ------------------------------------------------------------------
    def _add_chars(self, data: bytes, kanji: bool) -> None:
        if not self._line:
            self._line_attrs = self._attrs("")
        self._line.extend(data)
        self._line_kanji.extend([kanji] * len(data))

    def _attrs(self, text: str) -> Line:
        s = self._state
        return Line(text, s.bold, s.width, s.height, s.align)

    def _make_line(self) -> Line:
        attrs = self._line_attrs or self._attrs("")
        return Line(
            self._decode_line(), attrs.bold, attrs.width, attrs.height, attrs.align
        )

    def _flush_line(self, force: bool) -> None:
        if not self._line and not force:
            return
        self.current.items.append(self._make_line() if self._line else self._attrs(""))
        self._line.clear()
        self._line_kanji.clear()
        self._line_attrs = None

    def _decode_line(self) -> str:
        out: list[str] = []
        i = 0
        raw = bytes(self._line)
        while i < len(raw):
            if self._line_kanji[i] and i + 1 < len(raw):
                out.append(_decode_double(raw[i : i + 2]))
                i += 2
            else:
                out.append(self._decode_single(raw[i]))
                i += 1
        return "".join(out)

    def _decode_single(self, byte: int) -> str:
        if byte < 0x80:
            return chr(byte)
        if 0xA1 <= byte <= 0xDF and self._state.code_table == 1:
            return bytes([byte]).decode("cp932")
        return bytes([byte]).decode("cp437")

    def _cut(self, partial: bool) -> None:
        self._flush_line(force=False)
        self.current.items.append(CutMark(partial))
        self.pages.append(self.current)
        self.current = Page()

    def _unknown(self, data: bytes) -> None:
        self.current.items.append(Unknown(bytes(data)))


def _need(buf: bytes, pos: int, count: int) -> None:
    if pos + count > len(buf):
        raise NeedMore


def _decode_double(pair: bytes) -> str:
    if 0x21 <= pair[0] <= 0x7E:
        try:
            return (b"\x1b$B" + pair + b"\x1b(B").decode("iso2022_jp")
        except UnicodeDecodeError:
            return "\ufffd"
    return pair.decode("cp932", errors="replace")


#: Commands with a fixed number of argument bytes that change nothing the simulator shows.
ESC_ARGS = {
    ord(c): n
    for c, n in {
        " ": 1, "$": 2, "%": 1, "-": 1, "2": 0, "3": 1, "<": 0, "=": 1, "?": 1, "D": 0,
        "J": 1, "K": 1, "L": 0, "M": 1, "R": 1, "S": 0, "T": 1, "U": 1, "V": 1, "W": 8,
        "\\": 2, "c": 2, "e": 1, "f": 2, "g": 1, "r": 1, "u": 1, "v": 0, "{": 1, "B": 2,
        "j": 1, "(": 0,
    }.items()
}
GS_ARGS = {
    ord(c): n
    for c, n in {
        "$": 2, "*": 2, "/": 1, ":": 0, "B": 1, "H": 1, "I": 1, "L": 2, "P": 2, "T": 1,
        "W": 2, "\\": 2, "^": 3, "a": 1, "b": 1, "f": 1, "h": 1, "r": 1, "w": 1,
    }.items()
}
FS_ARGS = {ord(c): n for c, n in {"!": 1, "-": 1, "S": 2, "W": 1, "p": 2}.items()}


def decode(data: bytes) -> list[Page]:
    decoder = EscPosDecoder()
    decoder.feed(data)
    decoder.finish()
    return decoder.all_pages()
