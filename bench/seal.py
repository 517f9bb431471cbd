"""Time to check and to match one 600 dpi seal impression (p50/p95), on synthetic scans from
the scanner simulator: a 15 mm round seal and a 24 mm square one, as the scanner returns them
(the impression with a 5 mm margin), each checked and matched against its registered crop
after turning it 23° and shifting it on a larger sheet.

    python bench/seal.py [--quick] [--runs N]

The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the root, not bench/ (bench/requests.py)

from PIL import Image  # noqa: E402

from app.seal import imaging  # noqa: E402
from hardware.scanner.base import to_grayscale  # noqa: E402
from hardware.scanner.simulator import make_seal_image  # noqa: E402

DPI = 600
CASES = (("round 15mm", 15.0, "round", "山田"), ("square 24mm", 24.0, "square", "佐藤健太"))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(fn, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    fn()  # warm up (imports, FFT plans)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(_percentile(times, 0.95), 1),
            "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 runs per figure (well under a minute)")
    parser.add_argument("--runs", type=int, default=0, help="runs per figure (default 50, 10 with --quick)")
    args = parser.parse_args()
    runs = args.runs or (10 if args.quick else 50)
    results = {}
    for label, side, shape, text in CASES:
        scan = to_grayscale(make_seal_image(side, shape=shape, text=text, dpi=DPI, seed=1))
        registered = imaging.crop_impression(scan, DPI)
        turned = to_grayscale(make_seal_image(side, shape=shape, text=text, dpi=DPI, seed=1, rotation_deg=23))
        presented = Image.new("L", (turned.width + 300, turned.height + 200), 255)
        presented.paste(turned, (171, 57))
        check = _timed(lambda scan=scan: imaging.check_impression(scan, DPI), runs)
        match = _timed(lambda r=registered, p=presented: imaging.match_impressions(r, DPI, p, DPI), runs)
        score = imaging.match_impressions(registered, DPI, presented, DPI).score
        results[label] = {"pixels": f"{scan.width}x{scan.height}", "check": check, "match": match,
                          "match_score": score}
        print(f"{label} ({scan.width}x{scan.height} px at {DPI} dpi): check p50 {check['p50_ms']} ms / "
              f"p95 {check['p95_ms']} ms; match p50 {match['p50_ms']} ms / p95 {match['p95_ms']} ms "
              f"(score {score:.3f})")
    print(json.dumps({"dpi": DPI, "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
