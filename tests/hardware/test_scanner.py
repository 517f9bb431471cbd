"""Seal scanner: simulator geometry, watched folder, SANE test backend, URLs and the agent job."""

import base64
import io
import math
import shutil
import threading

import pytest
from PIL import Image

from hardware.scanner import (
    FolderScanner,
    NoDocument,
    SaneScanner,
    ScannerFailed,
    ScanTimeout,
    SimScanner,
    clear_slot,
    make_seal_image,
    open_scanner,
    place_image,
    place_seal,
    slot_state,
)
from hardware.scanner.agent_jobs import scan
from hardware.scanner.sane import SYSTEM_TEST_CONF, write_test_backend_config
from hardware.scanner.simulator import find_japanese_font, mm_to_px


def impression_box(image):
    """Bounding box of everything darker than paper."""
    ink = image.convert("L").point(lambda v: 255 if v < 200 else 0)
    box = ink.getbbox()
    assert box is not None
    return box[2] - box[0], box[3] - box[1]


@pytest.mark.parametrize("dpi", [300, 600])
@pytest.mark.parametrize("side_mm", [6.0, 15.0, 24.0, 27.0])
@pytest.mark.parametrize("shape", ["round", "square"])
def test_impression_has_its_physical_size(dpi, side_mm, shape):
    width, height = impression_box(make_seal_image(side_mm, shape=shape, dpi=dpi, seed=1))
    expected = side_mm / 25.4 * dpi
    assert abs(width - expected) <= 2
    assert abs(height - expected) <= 2


@pytest.mark.parametrize("dpi", [300, 600])
def test_oval_is_long_axis_by_0_7(dpi):
    width, height = impression_box(make_seal_image(18.0, shape="oval", dpi=dpi))
    assert abs(height - 18.0 / 25.4 * dpi) <= 2
    assert abs(width - 18.0 * 0.7 / 25.4 * dpi) <= 2


def test_round_seal_size_does_not_change_with_rotation():
    width, height = impression_box(make_seal_image(15.0, rotation_deg=37, dpi=600))
    assert abs(width - mm_to_px(15.0, 600)) <= 2
    assert abs(height - mm_to_px(15.0, 600)) <= 2


def test_rotated_square_spans_its_diagonal_projection():
    side = mm_to_px(20.0, 600)
    width, _ = impression_box(make_seal_image(20.0, shape="square", rotation_deg=30, dpi=600))
    expected = side * (math.cos(math.radians(30)) + math.sin(math.radians(30)))
    assert abs(width - expected) <= 3


def test_paper_margin_and_colours():
    image = make_seal_image(15.0, dpi=300)
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)
    margin = mm_to_px(5.0, 300)
    assert image.width == mm_to_px(15.0, 300) + 2 * margin
    black = make_seal_image(15.0, dpi=300, ink="black")
    histogram = black.convert("L").histogram()
    assert any(histogram[:40])


def test_missing_outline_removes_ink():
    full = make_seal_image(20.0, text="", dpi=300, seed=3)
    broken = make_seal_image(20.0, text="", dpi=300, seed=3, missing_outline_ratio=0.4)

    def ink(image):
        return sum(image.convert("L").histogram()[:200])

    assert 0.5 < ink(broken) / ink(full) < 0.7


def test_same_seed_same_image_and_blur_softens():
    a = make_seal_image(15.0, dpi=300, seed=9, missing_outline_ratio=0.2)
    b = make_seal_image(15.0, dpi=300, seed=9, missing_outline_ratio=0.2)
    assert a.tobytes() == b.tobytes()
    blurred = make_seal_image(15.0, dpi=300, blur=0.2).convert("L")
    sharp = make_seal_image(15.0, dpi=300).convert("L")

    def levels(image):
        return sum(1 for count in image.histogram() if count)

    assert levels(blurred) > levels(sharp)


def test_text_is_drawn_inside_the_outline():
    with_text = make_seal_image(15.0, dpi=300, text="山田")
    without = make_seal_image(15.0, dpi=300, text="")
    assert impression_box(with_text) == impression_box(without)
    assert with_text.tobytes() != without.tobytes()


def test_strokes_without_a_font(monkeypatch, tmp_path):
    monkeypatch.setenv("YAKUBA_FONT", str(tmp_path / "none.ttf"))
    monkeypatch.setattr("hardware.scanner.simulator.FONT_CANDIDATES", ())
    assert find_japanese_font() is None
    image = make_seal_image(15.0, dpi=300, text="山田")
    assert impression_box(image) == impression_box(make_seal_image(15.0, dpi=300, text=""))
    assert image.tobytes() != make_seal_image(15.0, dpi=300, text="").tobytes()


@pytest.mark.parametrize(
    "params",
    [
        {"side_mm": 0},
        {"side_mm": 15, "shape": "star"},
        {"side_mm": 15, "missing_outline_ratio": 1.0},
        {"side_mm": 15, "ink": "blue"},
    ],
)
def test_bad_seal_parameters(params):
    with pytest.raises(ValueError):
        make_seal_image(**params)


def test_sim_slot_returns_the_placed_seal_once_at_the_scanner_dpi():
    scanner = open_scanner("sim://counter-2?dpi=300")
    assert isinstance(scanner, SimScanner)
    with pytest.raises(NoDocument):
        scanner.scan()
    place_seal("counter-2", side_mm=15.0, shape="round", text="役場", seed=4)
    assert slot_state("counter-2") == {"placed": True}
    result = scanner.scan()
    assert result.dpi == 300
    assert result.image.mode == "L"
    assert abs(impression_box(result.image)[0] - mm_to_px(15.0, 300)) <= 2
    assert slot_state("counter-2") == {"placed": False}
    with pytest.raises(NoDocument):
        scanner.scan()


def test_place_seal_checks_now_and_refuses_dpi():
    with pytest.raises(TypeError):
        place_seal("x", side_mm=15.0, dpi=300)
    with pytest.raises(ValueError):
        place_seal("x", side_mm=15.0, shape="hexagon")
    assert slot_state("x") == {"placed": False}


def test_place_image_and_clear():
    place_image("upload", Image.new("RGB", (40, 30), (255, 0, 0)))
    result = SimScanner("upload", 600).scan()
    assert (result.image.mode, result.image.size, result.dpi) == ("L", (40, 30), 600)
    place_image("upload", Image.new("RGB", (4, 3)))
    clear_slot("upload")
    assert slot_state("upload") == {"placed": False}


def test_agent_scan_job():
    place_seal("job", side_mm=12.0, seed=1)
    result = scan("sim://job?dpi=600", {})
    assert set(result) == {"image_png_b64", "dpi", "width", "height"}
    image = Image.open(io.BytesIO(base64.b64decode(result["image_png_b64"])))
    assert image.mode == "L"
    assert (result["width"], result["height"]) == image.size
    assert result["dpi"] == 600
    with pytest.raises(NoDocument) as caught:
        scan("sim://job?dpi=600", {})
    assert caught.value.to_result() == {
        "code": "no_document",
        "message": "スキャナーに原稿が置かれていません。",
    }


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_folder_ignores_a_half_written_file_then_takes_it(tmp_path):
    data = png_bytes(make_seal_image(15.0, dpi=300, seed=2))
    target = tmp_path / "scan0001.png"
    target.write_bytes(data[: len(data) // 2])
    scanner = FolderScanner(tmp_path, dpi=300, timeout=0.6, poll_interval=0.05)
    with pytest.raises(ScanTimeout):
        scanner.scan()
    assert target.exists()  # stable size but not decodable: left alone

    scanner.timeout = 30
    found = {}
    worker = threading.Thread(target=lambda: found.setdefault("result", scanner.scan()))
    worker.start()
    with target.open("ab") as handle:
        handle.write(data[len(data) // 2 :])
    worker.join()
    result = found["result"]
    assert result.dpi == 300
    assert result.image.mode == "L"
    assert abs(impression_box(result.image)[0] - mm_to_px(15.0, 300)) <= 2
    assert not target.exists()
    assert (tmp_path / "done" / "scan0001.png").read_bytes() == data


def test_folder_ignores_temporary_names(tmp_path):
    data = png_bytes(make_seal_image(10.0, dpi=300))
    for name in ("scan.png.tmp", "scan.tmp", "~scan.png", ".scan.png", "notes.txt"):
        (tmp_path / name).write_bytes(data)
    with pytest.raises(ScanTimeout) as caught:
        FolderScanner(tmp_path, dpi=300, timeout=0.3, poll_interval=0.05).scan()
    assert caught.value.to_result()["code"] == "scan_timeout"
    (tmp_path / "scan.png.tmp").rename(tmp_path / "scan.png")
    result = FolderScanner(tmp_path, dpi=300, timeout=30, poll_interval=0.05).scan()
    assert result.dpi == 300
    assert (tmp_path / "done" / "scan.png").exists()


def test_folder_takes_oldest_first_and_never_reuses_names(tmp_path):
    scanner = FolderScanner(tmp_path, dpi=600, timeout=30, poll_interval=0.05)
    for round_no in range(2):
        (tmp_path / "scan.png").write_bytes(png_bytes(Image.new("L", (10 + round_no, 10), 255)))
        assert scanner.scan().image.width == 10 + round_no
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == ["scan-1.png", "scan.png"]


def test_dpi_comes_from_the_setting_not_the_file(tmp_path):
    buffer = io.BytesIO()
    Image.new("L", (50, 50), 255).save(buffer, format="PNG", dpi=(72, 72))
    (tmp_path / "a.png").write_bytes(buffer.getvalue())
    result = open_scanner(f"folder://{tmp_path}?dpi=400&timeout=30").scan()
    assert result.dpi == 400


@pytest.mark.parametrize(
    ("url", "kind", "attrs"),
    [
        ("sane://test:0?dpi=300", SaneScanner, {"device": "test:0", "dpi": 300}),
        (
            "sane://epson2:net:192.0.2.5",
            SaneScanner,
            {"device": "epson2:net:192.0.2.5", "dpi": 600},
        ),
        ("sim://desk-1?dpi=1200", SimScanner, {"slot_name": "desk-1", "dpi": 1200}),
    ],
)
def test_scanner_urls(url, kind, attrs):
    scanner = open_scanner(url)
    assert isinstance(scanner, kind)
    for key, value in attrs.items():
        assert getattr(scanner, key) == value


def test_folder_url(tmp_path):
    scanner = open_scanner(f"folder://{tmp_path}/in%20box?dpi=600&timeout=5")
    assert isinstance(scanner, FolderScanner)
    assert scanner.folder == tmp_path / "in box"
    assert (scanner.dpi, scanner.timeout) == (600, 5.0)


@pytest.mark.parametrize(
    "url",
    ["ftp://x", "sane://", "folder://relative?dpi=600", "sim://a?dpi=10", "sim://a?dpi=x", "x"],
)
def test_bad_scanner_urls(url):
    with pytest.raises(ValueError):
        open_scanner(url)


needs_scanimage = pytest.mark.skipif(
    shutil.which("scanimage") is None or not SYSTEM_TEST_CONF.exists(),
    reason="scanimage or /etc/sane.d/test.conf absent (Debian sane-utils)",
)


@needs_scanimage
@pytest.mark.parametrize("dpi", [75, 150])
def test_sane_test_backend_scans_at_the_set_dpi(tmp_path, dpi):
    env = write_test_backend_config(tmp_path / "sane.d")
    result = SaneScanner("test:0", dpi, env=env).scan()
    assert result.dpi == dpi
    assert result.image.mode == "L"
    # the test backend's default page is 80 mm × 100 mm (test.conf br_x, br_y)
    assert abs(result.image.width - 80 / 25.4 * dpi) <= 2
    assert abs(result.image.height - 100 / 25.4 * dpi) <= 2


@needs_scanimage
def test_sane_unknown_device_fails_clearly(tmp_path):
    env = write_test_backend_config(tmp_path / "sane.d")
    with pytest.raises(ScannerFailed) as caught:
        SaneScanner("nosuch:0", 300, env=env).scan()
    assert caught.value.to_result()["code"] == "scanner_failed"


def test_missing_scanimage_fails_clearly():
    with pytest.raises(ScannerFailed):
        SaneScanner("test:0", 300, scanimage="/nonexistent/scanimage").scan()


def test_selftest_runs():
    from hardware.scanner import selftest

    assert selftest.run().startswith("simulator and watched folder OK")
