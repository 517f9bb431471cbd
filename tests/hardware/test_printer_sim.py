import io
from collections.abc import Iterator

import pytest
from PIL import Image

from hardware.printer import (
    Cut,
    Document,
    DrawerKick,
    Feed,
    PrinterOffline,
    QRCode,
    Rule,
    SimulatedPrinter,
    Text,
    open_printer,
    simulated_printer,
)


@pytest.fixture
def sim_printer() -> Iterator[SimulatedPrinter]:
    sim = SimulatedPrinter("test").start()
    yield sim
    sim.stop()


def receipt() -> Document:
    return Document().add(
        Text("領収書", bold=True, width=2, height=2, align="center"),
        Text("住民票の写し　1通　300円"),
        Text("印鑑登録証明書　2通　600円"),
        Rule("─"),
        Text("合計　900円", bold=True, align="right"),
        QRCode("https://yakuba.example/r/2024-0001"),
        Feed(1),
        DrawerKick(),
        Cut(),
    )


def test_network_round_trip_kanji(sim_printer):
    printer = open_printer(sim_printer.url)
    sent = printer.print_document(receipt())
    (page,) = sim_printer.wait_for_pages(1)
    assert len(sim_printer.received) == sent
    texts = [line.text for line in page.lines if line.text]
    assert texts == [
        "領収書",
        "住民票の写し　1通　300円",
        "印鑑登録証明書　2通　600円",
        "─" * 21,
        "合計　900円",
    ]
    assert page.lines[0].bold and page.lines[0].width == 2 and page.lines[0].align == "center"
    assert page.qr_codes == ["https://yakuba.example/r/2024-0001"]
    assert page.drawer_kicks == [2]
    assert page.cut


def test_network_round_trip_raster(sim_printer):
    printer = open_printer(sim_printer.url + "?mode=raster")
    printer.print_document(receipt())
    (page,) = sim_printer.wait_for_pages(1)
    images = page.images
    assert len(images) == 5
    assert {image.width for image in images} == {512}
    assert images[1].height == 30
    assert any(image.getbbox() for image in images)
    assert page.qr_codes == ["https://yakuba.example/r/2024-0001"]
    assert page.cut


def test_pages_render_as_png_and_text(sim_printer):
    open_printer(sim_printer.url).print_document(receipt())
    sim_printer.wait_for_pages(1)
    image = Image.open(io.BytesIO(sim_printer.page_png(0)))
    assert image.format == "PNG"
    assert image.width >= 512
    text = sim_printer.page_text(0)
    assert "住民票の写し　1通　300円" in text
    assert "[QR: https://yakuba.example/r/2024-0001]" in text


def test_stopped_printer_is_offline_and_prints_again_after_restart(sim_printer):
    printer = open_printer(sim_printer.url)
    assert printer.is_online()
    sim_printer.stop()
    assert not printer.is_online()
    with pytest.raises(PrinterOffline, match="offline"):
        printer.print_document(receipt())
    sim_printer.start()
    assert printer.is_online()
    printer.print_document(Document().add(Text("再発行"), Cut()))
    (page,) = sim_printer.wait_for_pages(1)
    assert page.text_lines[0] == "再発行"


def test_simulator_answers_status_queries(sim_printer):
    printer = open_printer(f"escpos+tcp://127.0.0.1:{sim_printer.port}")
    printer.status_query = True
    assert printer.is_online()
    sim_printer.paper_out = True
    assert not printer.is_online()


def test_sim_url_uses_a_named_simulator():
    sim = simulated_printer("test-named")
    try:
        sent = open_printer("sim://test-named").print_document(Document().add(Text("窓口3")))
        assert sim.wait_for_bytes(sent)[0].text_lines == ["窓口3"]
    finally:
        sim.stop()


def test_unknown_url_scheme():
    with pytest.raises(ValueError):
        open_printer("lpt://1")


def test_missing_serial_printer_is_offline(tmp_path):
    printer = open_printer(f"escpos+serial://{tmp_path}/ttyUSB9?baudrate=38400")
    assert not printer.is_online()
    with pytest.raises(PrinterOffline, match="offline"):
        printer.print_document(Document().add(Text("x")))


def test_usb_printer_without_device_is_offline():
    printer = open_printer("escpos+usb://04b8:0e15")
    assert printer.description == "USB 04b8:0e15"
    assert not printer.is_online()
    with pytest.raises(PrinterOffline):
        printer.print_document(Document().add(Text("x")))
