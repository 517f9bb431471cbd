from escpos.printer import Dummy

from hardware.printer import Cut, Document, DrawerKick, QRCode, Text, kanji_line, render_bytes
from hardware.printer.render import rule_text

# shared/HARDWARE.md, verified on a Japanese-model printer.
KANJI_LINE = bytes.fromhex(
    "1c 43 01 1c 26 8f 5a 96 af 95 5b 82 cc 8e ca 82 b5 81 40 31 92 ca 81 40 33 30 30 89 7e"
    " 0a 1c 2e"
)


def test_kanji_line_exact_bytes():
    assert kanji_line("住民票の写し　1通　300円") == KANJI_LINE


def test_kanji_document_carries_the_exact_line():
    data = render_bytes(Document().add(Text("住民票の写し　1通　300円")))
    assert data.startswith(b"\x1b@")
    assert KANJI_LINE in data
    assert "住民票".encode("gb18030") not in data


def test_ascii_line_goes_plain():
    data = render_bytes(Document().add(Text("TOTAL 300", bold=True, align="right")))
    assert b"\x1bE\x01" in data
    assert b"\x1ba\x02" in data
    assert b"TOTAL 300\n" in data
    assert b"\x1c&" not in data


def test_size_uses_gs_exclamation():
    assert b"\x1d!\x11" in render_bytes(Document().add(Text("12", width=2, height=2)))


def test_control_characters_cannot_inject_commands():
    data = render_bytes(Document().add(Text("山田\x1bp\x00花子"), Text("a\x1dVb")))
    assert b"\x1bp" not in data
    assert b"\x1dV" not in data


def test_qr_cut_and_drawer_match_python_escpos():
    reference = Dummy(profile="TM-T88V")
    reference.qr("R-1", size=6, native=True)
    data = render_bytes(Document().add(QRCode("R-1"), DrawerKick(), Cut()))
    assert reference.output in data
    assert b"\x1bp\x0022" in data
    assert data.endswith(b"\x1bd\x06\x1dV\x00")


def test_rule_fills_the_line():
    assert rule_text("-") == "-" * 42
    assert rule_text("─") == "─" * 21


def test_raster_mode_sends_images_not_text():
    data = render_bytes(Document().add(Text("住民票の写し")), mode="raster")
    assert b"\x1dv0" in data
    assert "住民票".encode("cp932") not in data
