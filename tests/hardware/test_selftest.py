from hardware import selftest


def test_selftest_passes_with_one_line_per_device_kind(capsys):
    assert selftest.main() == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "printer", "call_board", "card_reader", "scanner",
    ]
    assert lines[0].startswith("printer: ok")
    assert lines[1].startswith("call_board: ok")


def test_missing_optional_package_is_skipped():
    assert selftest.optional_check("hardware.no_such_device.selftest")().startswith("skipped")


def test_a_failing_device_fails_the_run(capsys, monkeypatch):
    def broken() -> str:
        raise AssertionError("board shows nothing")

    monkeypatch.setitem(selftest.CHECKS, "call_board", broken)
    assert selftest.main() == 1
    assert "call_board: FAILED AssertionError: board shows nothing" in capsys.readouterr().out
