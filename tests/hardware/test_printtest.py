from hardware import printtest
from hardware.printer import SimulatedPrinter


def test_prints_a_japanese_receipt(capsys):
    sim = SimulatedPrinter("printtest").start()
    try:
        assert printtest.main([sim.url]) == 0
        (page,) = sim.wait_for_pages(1)
    finally:
        sim.stop()
    assert "住民票の写し　1通　300円" in page.text_lines
    assert page.qr_codes == ["https://yakuba.example/printtest"]
    assert page.cut
    assert "sent" in capsys.readouterr().out


def test_offline_printer_exits_non_zero(capsys):
    sim = SimulatedPrinter("printtest-off").start()
    sim.stop()
    assert printtest.main([sim.url]) == 1
    assert "offline" in capsys.readouterr().err


def test_sim_url_shows_the_printed_text(capsys):
    assert printtest.main(["sim://printtest-show"]) == 0
    assert "合計　600円" in capsys.readouterr().out
