"""Image methods for seal impressions (印影): the automatic checks and the comparison (印影照合).

Pure functions over images; no database, no request. The methods are those verified in
HARDWARE.md ("Seal scanner and seal rules"): Otsu threshold and an opening, the smallest
enclosing square over all rotations of the convex hull, pixels converted to millimetres by the
scanner's DPI setting (never the file's metadata); matching aligns centroids, finds the rotation
by correlation on a polar warp (trying +180° too), the shift by phase correlation, and scores the
overlap (IoU) of the masks.

The refusal rules come from the national 印鑑登録証明事務処理要領 as cities write them into their
印鑑条例 (see the module constants).
"""

from __future__ import annotations

import hashlib
import io
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageOps

MM_PER_INCH = 25.4

#: 要領 / 印鑑条例: an impression that fits inside an 8 mm square is refused ...
MIN_SIDE_MM = 8.0
#: ... and so is one that does not fit inside a 25 mm square.
MAX_SIDE_MM = 25.0
#: 要領 / 印鑑条例: "印影が不鮮明なもの": refused when a third or more of the outline is missing.
MAX_OUTLINE_MISSING = 1 / 3
#: Broken strokes (かすれ): share of the ink lying in crumbs too small to be part of a character.
MAX_FRAGMENT_SHARE = 0.05
FRAGMENT_MAX_MM2 = 0.15
#: Contrast (paper minus ink, grey levels) below which there is no impression at all, and below
#: which the impression is too faint to be reproduced on a certificate.
BLANK_CONTRAST = 30
FAINT_CONTRAST = 80
#: Ink that is smaller than this is dust, not an impression.
MIN_IMPRESSION_MM2 = 1.0
#: Marks closer than this belong to the same impression (characters of an outline-less seal).
GROUP_GAP_MM = 2.0
#: The comparison works at no more than this resolution (enough for 0.1 mm, and fast).
MATCH_DPI = 300


@dataclass(frozen=True)
class Reason:
    """Why an impression is refused: a code for programs, a sentence for the operator."""

    code: str
    message: str


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    side_mm: float | None
    reasons: tuple[Reason, ...]
    impressions: int = 0
    contrast: float = 0.0
    outline_missing: float | None = None
    fragment_share: float | None = None
    box: tuple[int, int, int, int] | None = None  # x0, y0, x1, y1 of the main impression (px)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "side_mm": None if self.side_mm is None else round(self.side_mm, 2),
            "reasons": [r.message for r in self.reasons],
            "codes": [r.code for r in self.reasons],
            "impressions": self.impressions,
            "contrast": round(self.contrast, 1),
            "outline_missing": None if self.outline_missing is None else round(self.outline_missing, 3),
            "fragment_share": None if self.fragment_share is None else round(self.fragment_share, 3),
        }


def px_per_mm(dpi: int) -> float:
    return dpi / MM_PER_INCH


def to_gray(image: Image.Image | np.ndarray) -> np.ndarray:
    """8-bit greyscale, alpha flattened onto white paper, EXIF orientation applied."""
    if isinstance(image, np.ndarray):
        return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return np.asarray(image.convert("L"), dtype=np.uint8)


def load_image(data: bytes) -> Image.Image:
    """Decode an uploaded or stored image; ValueError with a readable message if it is not one."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise ValueError("画像として読み込めません（PNG・JPEG・TIFF の印影画像を指定してください）。") from exc
    return image


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def _morph_near(op: int, mask: np.ndarray, radius: int) -> np.ndarray:
    """cv2.dilate or cv2.erode (`op`: cv2.MORPH_DILATE or MORPH_ERODE) of a 0/1 mask by a disk,
    worked only over the box around its ink widened by the radius: outside it both give 0, and
    inside it they see the same pixels, so the result is the same as over the whole image at a
    fraction of the work (a 2 mm disk over a whole 600 dpi sheet was a tenth of a comparison)."""
    mask8 = mask.astype(np.uint8)
    out = np.zeros_like(mask8)
    bx, by, bw, bh = cv2.boundingRect(mask8)
    if bw == 0 or bh == 0:
        return out
    pad = radius + 1
    h, w = mask8.shape
    y0, y1 = max(0, by - pad), min(h, by + bh + pad)
    x0, x1 = max(0, bx - pad), min(w, bx + bw + pad)
    # outside the image the border stays what cv2 assumes over the whole image
    out[y0:y1, x0:x1] = cv2.morphologyEx(mask8[y0:y1, x0:x1], op, _disk(radius))
    return out


@dataclass(frozen=True)
class Ink:
    """The binarised scan: `mask` after the opening (dust removed), `raw` straight from the
    threshold (thin strokes intact), the grey level between them, and the paper–ink contrast."""

    mask: np.ndarray
    raw: np.ndarray
    threshold: float
    contrast: float


def ink_mask(gray: np.ndarray, dpi: int) -> Ink:
    """Otsu threshold, then an opening that removes dust; the contrast between paper and ink
    (medians of each side) tells a blank or faint scan from a real one."""
    threshold, raw = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    radius = max(1, round(0.08 * px_per_mm(dpi)))
    mask = cv2.morphologyEx(raw, cv2.MORPH_OPEN, _disk(radius)) > 0
    if not mask.any() or mask.all():
        return Ink(mask, raw > 0, float(threshold), 0.0)
    contrast = float(np.median(gray[~mask])) - float(np.median(gray[mask]))
    return Ink(mask, raw > 0, float(threshold), contrast)


def _region(mask: np.ndarray, dpi: int) -> np.ndarray:
    """The neighbourhood of an impression's ink: what belongs to it, dust and other marks not."""
    return _morph_near(cv2.MORPH_DILATE, mask, max(1, round(0.15 * px_per_mm(dpi)))) > 0


def edge_points(gray: np.ndarray, region: np.ndarray, threshold: float) -> np.ndarray:
    """Sub-pixel edge of the ink (x, y): the iso-line of the grey image at the threshold
    (marching squares), so a rotated edge measures as long as a straight one."""
    from skimage.measure import find_contours

    ys, xs = np.nonzero(region)
    y0, y1, x0, x1 = max(0, ys.min() - 2), ys.max() + 3, max(0, xs.min() - 2), xs.max() + 3
    crop = np.where(region[y0:y1, x0:x1], gray[y0:y1, x0:x1], 255).astype(np.float32)
    padded = np.pad(crop, 1, constant_values=255.0)
    contours = find_contours(padded, level=threshold)
    points = np.concatenate(contours)[:, ::-1] - 1 + (x0, y0)
    return cv2.convexHull(points.astype(np.float32)).reshape(-1, 2).astype(np.float64)


@dataclass
class _Impression:
    mask: np.ndarray  # full-size boolean mask of this impression's ink
    area: int
    box: tuple[int, int, int, int] = field(default=(0, 0, 0, 0))


def split_impressions(ink: np.ndarray, dpi: int) -> list[_Impression]:
    """The separate impressions on a scan, largest first.

    Marks closer than GROUP_GAP_MM are one impression; a group lying inside the convex hull of
    a larger one (the characters inside an outline) belongs to it. Groups with less ink than
    MIN_IMPRESSION_MM2 are dust.
    """
    scale = px_per_mm(dpi)
    mask8 = ink.astype(np.uint8)
    joined = _morph_near(cv2.MORPH_DILATE, mask8, max(1, round(GROUP_GAP_MM * scale / 2)))
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    groups: list[np.ndarray] = []
    for label in range(1, count):
        member = (labels == label) & ink
        if member.sum() >= MIN_IMPRESSION_MM2 * scale * scale:
            groups.append(member)
    groups.sort(key=lambda m: -int(m.sum()))
    merged: list[np.ndarray] = []
    for group in groups:
        ys, xs = np.nonzero(group)
        cx, cy = float(xs.mean()), float(ys.mean())
        for owner in merged:
            hull = cv2.convexHull(np.column_stack(np.nonzero(owner)[::-1]).astype(np.int32))
            if cv2.pointPolygonTest(hull, (cx, cy), False) >= 0:
                owner |= group
                break
        else:
            merged.append(group.copy())
    result = []
    for group in merged:
        ys, xs = np.nonzero(group)
        result.append(_Impression(group, int(group.sum()),
                                  (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)))
    result.sort(key=lambda imp: -imp.area)
    return result


def hull_points(mask: np.ndarray) -> np.ndarray:
    """Convex hull of the union of the ink pixels as squares (corners, not centres), so that a
    stroke N pixels wide measures N pixels."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    points = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    corners = np.concatenate([points + (dx, dy) for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)])
    return cv2.convexHull(corners.astype(np.float32)).reshape(-1, 2).astype(np.float64)


def smallest_enclosing_square(points: np.ndarray) -> tuple[float, float]:
    """Side (in the points' unit) and angle (degrees) of the smallest square that encloses the
    points, over all rotations: a coarse sweep of 0–90° then two finer sweeps around the best."""

    def sides(angles: np.ndarray) -> np.ndarray:
        rad = np.radians(angles)
        cos, sin = np.cos(rad)[:, None], np.sin(rad)[:, None]
        x = points[:, 0][None, :] * cos + points[:, 1][None, :] * sin
        y = -points[:, 0][None, :] * sin + points[:, 1][None, :] * cos
        return np.maximum(x.max(1) - x.min(1), y.max(1) - y.min(1))

    angles = np.arange(0.0, 90.0, 0.5)
    best = angles[int(np.argmin(sides(angles)))]
    for step in (0.05, 0.005):
        angles = best + np.arange(-10, 11) * step
        best = angles[int(np.argmin(sides(angles)))]
    return float(sides(np.array([best]))[0]), float(best % 90)


def _angular_profile(mask: np.ndarray, center: tuple[float, float], bins: int) -> np.ndarray:
    """The largest radius of the mask in each of `bins` angular sectors around `center`."""
    ys, xs = np.nonzero(mask)
    dx, dy = xs - center[0], ys - center[1]
    sector = ((np.arctan2(dy, dx) + math.pi) / (2 * math.pi) * bins).astype(np.int64) % bins
    profile = np.zeros(bins)
    np.maximum.at(profile, sector, np.hypot(dx, dy))
    return profile


def _even_basis(bins: int) -> np.ndarray:
    """Harmonics 0, 2 and 4: the radius of a circle, an oval (period 180°) and a square (90°)
    around their centre, at any rotation."""
    theta = (np.arange(bins) + 0.5) / bins * 2 * math.pi
    return np.column_stack([np.ones(bins), np.cos(2 * theta), np.sin(2 * theta),
                            np.cos(4 * theta), np.sin(4 * theta)])


def _upper_envelope(profile: np.ndarray, basis: np.ndarray, quantile: float = 0.9) -> np.ndarray:
    """A smooth curve that most of the profile lies under (quantile regression by iteratively
    reweighted least squares): the outline where it exists, bridging where it is missing."""
    weights = np.ones(len(profile))
    fitted = np.full(len(profile), profile.max())
    for _ in range(30):
        w = np.sqrt(weights)[:, None]
        coef, *_ = np.linalg.lstsq(basis * w, profile * w[:, 0], rcond=None)
        fitted = basis @ coef
        residual = profile - fitted
        scale = max(1.0, float(np.median(np.abs(residual))))
        weights = np.where(residual > 0, quantile, 1 - quantile) / np.maximum(np.abs(residual), 0.05 * scale)
    return fitted


def _circular_runs(flags: np.ndarray) -> list[tuple[int, int, bool]]:
    """(start, length, value) runs of a circular boolean array."""
    n = len(flags)
    if flags.all() or not flags.any():
        return [(0, n, bool(flags[0]))]
    start = int(np.argmax(flags != np.roll(flags, 1)))  # a run boundary
    rolled = np.roll(flags, -start)
    runs, i = [], 0
    while i < n:
        j = i
        while j < n and rolled[j] == rolled[i]:
            j += 1
        runs.append(((i + start) % n, j - i, bool(rolled[i])))
        i = j
    return runs


def _fill_short_runs(flags: np.ndarray, value: bool, max_len: int) -> np.ndarray:
    out = flags.copy()
    for start, length, run_value in _circular_runs(flags):
        if run_value == value and length <= max_len:
            out[(start + np.arange(length)) % len(flags)] = not value
    return out


def outline_missing_ratio(mask: np.ndarray) -> float:
    """Share of the outline (枠) that is missing, as a share of the turn around the centre.

    The outermost ink in each 1° sector is compared with a smooth closed curve fitted to the
    outline (Fourier series up to the 4th harmonic: circles, ovals and squares at any rotation),
    fitted again without the sectors that fall short until it settles. Sectors where the ink
    stays clearly inside the curve have no outline. Crumbs of outline inside a gap and specks of
    gap inside the outline (under 8° and 3°) are smoothed away.
    """
    points = hull_points(mask)
    (cx, cy), _ = cv2.minEnclosingCircle(points.astype(np.float32))
    bins = 360
    basis = _even_basis(bins)
    theta = (np.arange(bins) + 0.5) / bins * 2 * math.pi - math.pi  # the sectors' directions
    shift_basis = np.column_stack([np.cos(theta), np.sin(theta)])
    best: np.ndarray | None = None
    for _ in range(6):
        profile = _angular_profile(mask, (cx, cy), bins)
        fitted = _upper_envelope(profile, basis)
        present = profile >= 0.88 * fitted
        if best is None or present.sum() > best.sum():
            best = present
        if present.sum() < 10:
            break
        # an off-centre curve shows as a first harmonic in what is left: try the centre moved by
        # it, and keep whichever centre explains more of the outline
        offset, *_ = np.linalg.lstsq(shift_basis[present], (profile - fitted)[present], rcond=None)
        if math.hypot(*offset) < 0.5:
            break
        cx, cy = cx + float(offset[0]), cy + float(offset[1])
    assert best is not None
    present = best
    present = _fill_short_runs(present, True, 8)
    present = _fill_short_runs(present, False, 3)
    return float(1.0 - present.mean())


def fragment_share(mask: np.ndarray, dpi: int) -> float:
    """Share of the ink lying in crumbs smaller than FRAGMENT_MAX_MM2: a worn or half-inked
    impression whose strokes break up (要領: "文字の一部が欠けているもの")."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    if areas.sum() == 0:
        return 0.0
    limit = FRAGMENT_MAX_MM2 * px_per_mm(dpi) ** 2
    return float(areas[areas < limit].sum() / areas.sum())


def check_impression(image: Image.Image | np.ndarray, dpi: int) -> CheckResult:
    """The automatic checks of 000 §6(2)①エ (登録可能な印鑑であるかの確認), each with a reason.

    What a machine cannot see (the registered name or an allowed combination, no title or
    occupation, not a rubber or deformable seal) is confirmed by the operator on the page.
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    gray = to_gray(image)
    ink = ink_mask(gray, dpi)
    contrast = ink.contrast
    if contrast < BLANK_CONTRAST:
        return CheckResult(False, None, (Reason("blank", "印影がありません（白紙です）。"),), contrast=contrast)
    impressions = split_impressions(ink.mask, dpi)
    if not impressions:
        return CheckResult(False, None, (Reason("blank", "印影がありません（ごみ・汚れだけです）。"),),
                           contrast=contrast)
    reasons: list[Reason] = []
    if contrast < FAINT_CONTRAST:
        reasons.append(Reason("faint", f"印影が薄すぎます（濃度差{contrast:.0f}、{FAINT_CONTRAST}以上が必要）。"
                                       "朱肉を付け直して押し直してください。"))
    if len(impressions) > 1:
        reasons.append(Reason("multiple", f"印影が{len(impressions)}個あります。1個だけ押してください。"))
    main = impressions[0]
    region = _region(main.mask, dpi)
    side_mm = smallest_enclosing_square(edge_points(gray, region, ink.threshold))[0] / px_per_mm(dpi)
    if side_mm <= MIN_SIDE_MM:
        reasons.append(Reason("too_small", f"印影が小さすぎます（{side_mm:.1f}mm）。"
                                           f"一辺{MIN_SIDE_MM:.0f}mmの正方形に収まる印鑑は登録できません。"))
    elif side_mm > MAX_SIDE_MM:
        reasons.append(Reason("too_large", f"印影が大きすぎます（{side_mm:.1f}mm）。"
                                           f"一辺{MAX_SIDE_MM:.0f}mmの正方形に収まらない印鑑は登録できません。"))
    x0, y0, x1, y1 = main.box
    missing = outline_missing_ratio(main.mask[y0:y1, x0:x1])
    if missing >= MAX_OUTLINE_MISSING:
        reasons.append(Reason("outline_missing", f"外枠が{missing * 100:.0f}%欠けています"
                                                 "（3分の1以上欠けた印影は登録できません）。"))
    fragments = fragment_share((ink.raw & region)[y0:y1, x0:x1], dpi)
    if fragments > MAX_FRAGMENT_SHARE:
        reasons.append(Reason("strokes_broken", f"文字や線がかすれて途切れています（細片が{fragments * 100:.0f}%）。"
                                                "押し直してください。"))
    return CheckResult(not reasons, side_mm, tuple(reasons), len(impressions), contrast, missing, fragments,
                       main.box)


def crop_impression(image: Image.Image | np.ndarray, dpi: int, margin_mm: float = 1.0) -> Image.Image:
    """The scan cut down to the main impression with a white margin, as stored on the record.

    Only the main impression's ink is kept (dust and other marks become paper), in its original
    grey levels, so that it prints at its true size on the certificate.
    """
    gray = to_gray(image)
    impressions = split_impressions(ink_mask(gray, dpi).mask, dpi)
    if not impressions:
        raise ValueError("印影が見つかりません。")
    main = impressions[0]
    keep = _region(main.mask, dpi)
    cleaned = np.where(keep, gray, 255).astype(np.uint8)
    margin = round(margin_mm * px_per_mm(dpi))
    x0, y0, x1, y1 = main.box
    h, w = gray.shape
    out = np.full((y1 - y0 + 2 * margin, x1 - x0 + 2 * margin), 255, dtype=np.uint8)
    sx0, sy0, sx1, sy1 = max(0, x0 - margin), max(0, y0 - margin), min(w, x1 + margin), min(h, y1 + margin)
    out[sy0 - (y0 - margin):sy1 - (y0 - margin), sx0 - (x0 - margin):sx1 - (x0 - margin)] = cleaned[sy0:sy1, sx0:sx1]
    return Image.fromarray(out, mode="L")


def png_bytes(image: Image.Image | np.ndarray) -> bytes:
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


# --- 印影照合 -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MatchResult:
    """The comparison for staff to judge: never a decision (HARDWARE.md)."""

    score: float  # IoU of the aligned masks inside the outline (the characters), 0..1
    overall: float  # IoU of the whole aligned masks, outline included
    rotation_deg: float  # how far the presented impression was turned to align it
    shift_mm: tuple[float, float]
    registered_side_mm: float
    presented_side_mm: float
    overlay_png: bytes
    difference_png: bytes


def _impression_mask(image: Image.Image | np.ndarray, dpi: int, work_dpi: int) -> np.ndarray:
    gray = to_gray(image)
    impressions = split_impressions(ink_mask(gray, dpi).mask, dpi)
    if not impressions:
        raise ValueError("印影が見つかりません。")
    x0, y0, x1, y1 = impressions[0].box
    crop = impressions[0].mask[y0:y1, x0:x1].astype(np.float32)
    if dpi != work_dpi:
        factor = work_dpi / dpi
        size = (max(1, round(crop.shape[1] * factor)), max(1, round(crop.shape[0] * factor)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    return crop


#: The registered impressions' masks as the comparison works on them, by the image's content: a
#: record is compared again and again (every certificate, every check at the counter), and its
#: mask is the same each time. A few dozen entries of a few hundred kilobytes at most.
_REGISTERED_MASKS: OrderedDict[tuple[bytes, int, int], np.ndarray] = OrderedDict()
_REGISTERED_MASKS_KEPT = 32
_REGISTERED_MASKS_LOCK = threading.Lock()


def _registered_mask(image: Image.Image | np.ndarray, dpi: int, work_dpi: int) -> np.ndarray:
    """`_impression_mask` of a registered impression, kept (read-only) for the next comparison."""
    gray = np.ascontiguousarray(to_gray(image))
    digest = hashlib.blake2b(gray.data, digest_size=16, person=repr(gray.shape).encode()[:16]).digest()
    key = (digest, dpi, work_dpi)
    with _REGISTERED_MASKS_LOCK:
        if key in _REGISTERED_MASKS:
            _REGISTERED_MASKS.move_to_end(key)
            return _REGISTERED_MASKS[key]
    mask = _impression_mask(gray, dpi, work_dpi)
    mask.flags.writeable = False
    with _REGISTERED_MASKS_LOCK:
        _REGISTERED_MASKS[key] = mask
        while len(_REGISTERED_MASKS) > _REGISTERED_MASKS_KEPT:
            _REGISTERED_MASKS.popitem(last=False)
    return mask


def _centre_on_canvas(mask: np.ndarray, size: int) -> np.ndarray:
    """The mask on a size×size canvas with its centroid at the canvas centre."""
    moments = cv2.moments(mask)
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    shift = np.float32([[1, 0, size / 2 - cx], [0, 1, size / 2 - cy]])
    return cv2.warpAffine(mask, shift, (size, size), flags=cv2.INTER_LINEAR)


def _polar(image: np.ndarray, angles: int) -> np.ndarray:
    """The image resampled on (angle, radius) around its centre: rows are angles."""
    size = image.shape[0]
    radii = np.arange(size // 2, dtype=np.float32)
    theta = (np.arange(angles, dtype=np.float32) / angles * 2 * np.pi)[:, None]
    map_x = (size / 2 + radii[None, :] * np.cos(theta)).astype(np.float32)
    map_y = (size / 2 + radii[None, :] * np.sin(theta)).astype(np.float32)
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def _rotation_candidates(fixed: np.ndarray, moving: np.ndarray) -> list[float]:
    """Rotations (degrees, as cv2.getRotationMatrix2D takes them) that turn `moving` onto
    `fixed`: circular correlation along the angle axis of the polar warps, summed over radii;
    the rotation and the one half a turn further (a near-symmetric design can fool the peak)."""
    angles = 720
    fa = np.fft.rfft(_polar(fixed, angles), axis=0)
    fb = np.fft.rfft(_polar(moving, angles), axis=0)
    corr = np.fft.irfft((fa * np.conj(fb)).sum(axis=1), n=angles)
    angle = -float(np.argmax(corr)) * 360.0 / angles
    return [angle, angle + 180.0]


def _rotate(mask: np.ndarray, angle: float) -> np.ndarray:
    size = mask.shape[0]
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), angle, 1.0)
    return cv2.warpAffine(mask, matrix, (size, size), flags=cv2.INTER_LINEAR)


def _iou(a: np.ndarray, b: np.ndarray, within: np.ndarray | None = None) -> float:
    fa, fb = a > 0.5, b > 0.5
    if within is not None:
        fa, fb = fa & within, fb & within
    union = np.logical_or(fa, fb).sum()
    return float(np.logical_and(fa, fb).sum() / union) if union else 0.0


def _spectrum(image: np.ndarray) -> np.ndarray:
    """The 2-D DFT of a real image (h × w × 2: real and imaginary parts)."""
    return cv2.dft(image.astype(np.float32), flags=cv2.DFT_COMPLEX_OUTPUT)


def _phase_shift(fixed_spectrum: np.ndarray, moving: np.ndarray) -> tuple[float, float]:
    """The translation (dx, dy) that moves `moving` onto the image whose spectrum (`_spectrum`)
    is `fixed_spectrum`: the peak of the normalised cross-power spectrum, refined to sub-pixel by
    a parabola through its neighbours. The fixed spectrum is computed once per comparison, and
    OpenCV's DFT does in a few milliseconds what numpy's took tens for (the same transform)."""
    cross = cv2.mulSpectrums(fixed_spectrum, _spectrum(moving), 0, conjB=True)
    cross /= np.maximum(cv2.magnitude(cross[..., 0], cross[..., 1]), 1e-9)[..., None]
    corr = cv2.idft(cross, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    h, w = corr.shape
    py, px = np.unravel_index(int(np.argmax(corr)), corr.shape)

    def refine(m1: float, c: float, p1: float) -> float:
        denominator = m1 - 2 * c + p1
        return 0.0 if abs(denominator) < 1e-12 else 0.5 * (m1 - p1) / denominator

    dy = py + refine(corr[(py - 1) % h, px], corr[py, px], corr[(py + 1) % h, px])
    dx = px + refine(corr[py, (px - 1) % w], corr[py, px], corr[py, (px + 1) % w])
    return (dx - w if dx > w / 2 else dx), (dy - h if dy > h / 2 else dy)


def _align_shift(fixed_spectrum: np.ndarray, moving: np.ndarray) -> tuple[np.ndarray, tuple[float, float]]:
    dx, dy = _phase_shift(fixed_spectrum, moving)
    matrix = np.float32([[1, 0, dx], [0, 1, dy]])
    size = moving.shape[0]
    return cv2.warpAffine(moving, matrix, (size, size), flags=cv2.INTER_LINEAR), (dx, dy)


def _aligned(fixed: np.ndarray, fixed_spectrum: np.ndarray, moving: np.ndarray,
             angle: float) -> tuple[float, np.ndarray, tuple[float, float]]:
    shifted, shift = _align_shift(fixed_spectrum, _rotate(moving, angle))
    return _iou(fixed, shifted), shifted, shift


def _reach(mask: np.ndarray) -> float:
    """How far the mask's ink reaches from its centroid (px, to the pixels' outer corners): the
    radius of the circle it stays inside at any rotation about the centroid."""
    moments = cv2.moments(mask)
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    ys, xs = np.nonzero(mask)
    return float(np.sqrt(((np.abs(xs - cx + 0.5) + 0.5) ** 2 + (np.abs(ys - cy + 0.5) + 0.5) ** 2).max()))


def _canvas_size(fixed: np.ndarray, moving: np.ndarray) -> int:
    """Side of the square canvas both masks turn on, each with its centroid at the centre: room
    for either at any rotation with a margin for the shift (1.3 × the widest reach across), an
    even size whose FFT is fast (only factors 2, 3 and 5: an awkward prime factor such as 31
    made the phase correlation several times slower). The margin is zero, so the size only
    changes where the correlation's period falls; scores move by about 0.001 at most."""
    size = int(math.ceil(1.3 * 2 * max(_reach(fixed), _reach(moving))))
    size = cv2.getOptimalDFTSize(size)
    while size % 2:
        size = cv2.getOptimalDFTSize(size + 1)
    return size


def _inner_region(mask: np.ndarray) -> np.ndarray:
    """Inside the outline: the registered impression's convex hull shrunk by an eighth of its
    size, where the characters are. Every round seal of one size shares its ring, so the
    characters are what tells two designs apart."""
    hull = hull_points(mask)
    region = np.zeros(mask.shape, np.uint8)
    cv2.fillConvexPoly(region, np.round(hull).astype(np.int32), 1)
    side, _ = smallest_enclosing_square(hull)
    return _morph_near(cv2.MORPH_ERODE, region, max(1, round(side / 8))) > 0


def _overlay_images(fixed: np.ndarray, moving: np.ndarray) -> tuple[bytes, bytes]:
    """Overlay: registered in blue, presented in red, both dark purple. Difference: only the
    registered in blue, only the presented in red, both in light grey."""
    a, b = fixed > 0.5, moving > 0.5
    overlay = np.full((*a.shape, 3), 255, dtype=np.uint8)
    overlay[a] = (60, 90, 230)
    overlay[b] = (230, 40, 40)
    overlay[a & b] = (70, 20, 90)
    diff = np.full((*a.shape, 3), 255, dtype=np.uint8)
    diff[a & b] = (215, 215, 215)
    diff[a & ~b] = (30, 70, 230)
    diff[b & ~a] = (220, 20, 20)
    return png_bytes(_trim(overlay, a | b)), png_bytes(_trim(diff, a | b))


def _trim(rgb: np.ndarray, used: np.ndarray, margin: int = 12) -> np.ndarray:
    ys, xs = np.nonzero(used)
    if len(xs) == 0:
        return rgb
    h, w = used.shape
    return rgb[max(0, ys.min() - margin):min(h, ys.max() + margin + 1),
               max(0, xs.min() - margin):min(w, xs.max() + margin + 1)]


def match_impressions(registered: Image.Image | np.ndarray, registered_dpi: int,
                      presented: Image.Image | np.ndarray, presented_dpi: int) -> MatchResult:
    """印影照合: align a presented impression to the registered one (rotation and shift) and
    score their overlap. Staff judge from the overlay and the difference image; the score only
    helps them (HARDWARE.md: do not decide automatically)."""
    work_dpi = min(registered_dpi, presented_dpi, MATCH_DPI)
    fixed = _registered_mask(registered, registered_dpi, work_dpi)
    moving = _impression_mask(presented, presented_dpi, work_dpi)
    size = _canvas_size(fixed, moving)
    fixed_c, moving_c = _centre_on_canvas(fixed, size), _centre_on_canvas(moving, size)
    fixed_spectrum = _spectrum(fixed_c)
    best: tuple[float, np.ndarray, tuple[float, float], float] | None = None
    for angle in _rotation_candidates(fixed_c, moving_c):
        score, shifted, shift = _aligned(fixed_c, fixed_spectrum, moving_c, angle)
        if best is None or score > best[0]:
            best = (score, shifted, shift, angle)
    assert best is not None
    for step in (1.0, 0.5, 0.25):  # the polar grid is 0.5°; settle between its steps
        for angle in (best[3] - step, best[3] + step):
            score, shifted, shift = _aligned(fixed_c, fixed_spectrum, moving_c, angle)
            if score > best[0]:
                best = (score, shifted, shift, angle)
    score, shifted, shift, angle = best
    inner = _inner_region(fixed_c > 0.5)
    text_score = _iou(fixed_c, shifted, inner)
    overlay, difference = _overlay_images(fixed_c, shifted)
    per_mm = px_per_mm(work_dpi)
    fixed_side, _ = smallest_enclosing_square(hull_points(fixed > 0.5))
    moving_side, _ = smallest_enclosing_square(hull_points(moving > 0.5))
    return MatchResult(score=round(text_score, 4), overall=round(score, 4),
                       rotation_deg=round(((angle + 180) % 360) - 180, 2),
                       shift_mm=(round(shift[0] / per_mm, 2), round(shift[1] / per_mm, 2)),
                       registered_side_mm=round(fixed_side / per_mm, 2),
                       presented_side_mm=round(moving_side / per_mm, 2),
                       overlay_png=overlay, difference_png=difference)
