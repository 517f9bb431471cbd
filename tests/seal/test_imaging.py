"""The automatic checks and the comparison on synthetic impressions from the scanner simulator
(HARDWARE.md, "Seal scanner and seal rules")."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image

from app.seal import imaging
from tests.seal.conftest import mottled, on_paper, seal

ROTATIONS = (0, 17, 30, 45, 62, 90)


def codes(result: imaging.CheckResult) -> set[str]:
    return {r.code for r in result.reasons}


@pytest.mark.parametrize("dpi", [300, 600])
@pytest.mark.parametrize("shape", ["round", "square"])
@pytest.mark.parametrize(("side_mm", "verdict"), [
    (7.9, "too_small"), (8.1, None), (24.9, None), (25.1, "too_large"),
])
def test_size_rule_holds_at_the_boundaries_at_every_rotation(dpi, shape, side_mm, verdict) -> None:
    """要領: refused if it fits inside an 8 mm square or does not fit inside a 25 mm square."""
    for rotation in ROTATIONS:
        result = imaging.check_impression(seal(side_mm, dpi, shape=shape, rotation_deg=rotation, seed=1), dpi)
        assert result.side_mm is not None
        assert abs(result.side_mm - side_mm) < 0.13, (rotation, result.side_mm)
        if verdict is None:
            assert result.ok, (rotation, result.reasons)
        else:
            assert codes(result) == {verdict}, (rotation, result.reasons)
            assert f"{result.side_mm:.1f}mm" in result.reasons[0].message


@pytest.mark.parametrize("rotation", [0, 30, 90])
def test_an_oval_is_measured_on_its_smallest_enclosing_square(rotation) -> None:
    """An oval 10 mm long and 7 mm wide fits, turned 45°, inside a square of √((10²+7²)/2)."""
    result = imaging.check_impression(seal(10.0, 600, shape="oval", rotation_deg=rotation), 600)
    expected = math.sqrt((10.0**2 + 7.0**2) / 2)
    assert result.side_mm is not None and abs(result.side_mm - expected) < 0.1
    assert result.ok


def test_smallest_enclosing_square_of_a_rectangle_and_a_turned_square() -> None:
    rect = np.array([[0, 0], [20, 0], [20, 10], [0, 10]], float)
    assert imaging.smallest_enclosing_square(rect)[0] == pytest.approx(20, abs=1e-3)
    turned = np.array([[math.cos(a), math.sin(a)] for a in np.radians([10, 100, 190, 280])]) * 5
    side, angle = imaging.smallest_enclosing_square(turned)
    assert side == pytest.approx(5 * math.sqrt(2), abs=1e-3)
    assert angle == pytest.approx(55, abs=0.01)  # corners at 10°, 100°…: sides at 55°


def test_blank_and_dust_are_not_impressions() -> None:
    blank = imaging.check_impression(Image.new("L", (600, 600), 255), 600)
    assert codes(blank) == {"blank"} and blank.side_mm is None
    noise = np.clip(255 - np.abs(np.random.default_rng(1).normal(0, 6, (600, 600))), 0, 255).astype(np.uint8)
    assert codes(imaging.check_impression(Image.fromarray(noise), 600)) == {"blank"}


def test_a_faint_impression_is_refused_with_its_contrast() -> None:
    pixels = np.asarray(seal(15.0)).astype(float)
    faint = Image.fromarray((255 - (255 - pixels) * 0.3).astype(np.uint8))
    result = imaging.check_impression(faint, 600)
    assert codes(result) == {"faint"}
    assert "薄すぎます" in result.reasons[0].message
    assert imaging.check_impression(seal(15.0, blur=0.2), 600).ok  # a soft but dark press is fine


def test_two_impressions_are_refused_but_characters_inside_an_outline_are_one() -> None:
    one = seal(15.0, text="佐々木")
    two = on_paper(one, (one.width * 2, one.height), (0, 0))
    two.paste(one, (one.width, 0))
    result = imaging.check_impression(two, 600)
    assert "multiple" in codes(result) and result.impressions == 2
    assert imaging.check_impression(seal(18.0, text="山田太郎"), 600).impressions == 1


@pytest.mark.parametrize("dpi", [300, 600])
@pytest.mark.parametrize("shape", ["round", "square", "oval"])
def test_outline_missing_a_third_or_more_is_refused(dpi, shape) -> None:
    """要領: an outline with a third or more missing is an unclear impression."""
    for seed, rotation in ((1, 0), (2, 30), (3, 60), (4, 85)):
        for ratio in (0.0, 0.1, 0.2, 0.25):
            result = imaging.check_impression(
                seal(15.0, dpi, shape=shape, rotation_deg=rotation, missing_outline_ratio=ratio, seed=seed), dpi)
            assert result.ok, (ratio, seed, result.reasons, result.outline_missing)
            assert result.outline_missing == pytest.approx(ratio, abs=0.05)
        refused = imaging.check_impression(
            seal(15.0, dpi, shape=shape, rotation_deg=rotation, missing_outline_ratio=0.4, seed=seed), dpi)
        assert codes(refused) == {"outline_missing"}, (seed, refused.outline_missing)
        assert "欠けています" in refused.reasons[0].message


def test_broken_strokes_are_refused() -> None:
    broken = imaging.check_impression(mottled(seal(15.0), 600, block_mm=0.2, erased=0.7), 600)
    assert "strokes_broken" in codes(broken)
    assert broken.fragment_share is not None and broken.fragment_share > imaging.MAX_FRAGMENT_SHARE
    clean = imaging.check_impression(seal(15.0), 600)
    assert clean.fragment_share is not None and clean.fragment_share < 0.01


def test_crop_keeps_the_impression_at_its_size_and_drops_dust() -> None:
    sheet = on_paper(seal(15.0, text="山田"), (1400, 1000), (300, 200))
    sheet.paste(0, (1200, 900, 1203, 903))  # a speck of dust far away
    crop = imaging.crop_impression(sheet, 600)
    assert imaging.check_impression(crop, 600).side_mm == pytest.approx(15.0, abs=0.05)
    assert crop.width < 500 and np.asarray(crop).min() < 128


def _print_scores(label: str, scores: list[float]) -> None:
    print(f"\n{label}: " + ", ".join(f"{s:.3f}" for s in scores))


def test_matching_finds_the_same_seal_turned_and_shifted_and_scores_another_design_lower() -> None:
    registered = seal(15.0, text="山田", seed=1)
    same = []
    for rotation in (0, 23, 45, 90, 135, 200, 300):
        turned = seal(15.0, text="山田", seed=1, rotation_deg=rotation)
        presented = on_paper(turned, (turned.width + 240, turned.height + 160), (173, 41), noise=8.0)
        result = imaging.match_impressions(registered, 600, presented, 600)
        angle = (result.rotation_deg + rotation + 180) % 360 - 180
        assert abs(angle) <= 1.0, (rotation, result.rotation_deg)
        same.append(result.score)
    different = [imaging.match_impressions(registered, 600, seal(15.0, text=text, seed=1, rotation_deg=rot), 600).score
                 for text, rot in (("山口", 0), ("川田", 40), ("田中", 75))]
    other_shape = imaging.match_impressions(registered, 600, seal(15.0, shape="square", text="山田"), 600).score
    _print_scores("same seal turned+shifted+noise", same)
    _print_scores("different design (山口, 川田, 田中)", different)
    _print_scores("square outline, same name", [other_shape])
    assert min(same) >= 0.93
    assert max(different) <= 0.82
    assert min(same) - max(different) >= 0.1
    assert other_shape < 0.5


def test_matching_across_resolutions_and_its_images() -> None:
    result = imaging.match_impressions(seal(15.0, 600, seed=1), 600, seal(15.0, 300, seed=1, rotation_deg=10), 300)
    assert abs(result.rotation_deg + 10) <= 1.0
    assert result.registered_side_mm == pytest.approx(15.0, abs=0.2)
    assert result.presented_side_mm == pytest.approx(15.0, abs=0.2)
    for png in (result.overlay_png, result.difference_png):
        image = Image.open(__import__("io").BytesIO(png))
        assert image.mode == "RGB" and image.width > 100


def test_no_impression_to_match_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="印影が見つかりません"):
        imaging.match_impressions(seal(15.0), 600, Image.new("L", (300, 300), 255), 600)
