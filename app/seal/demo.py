"""Demo seal records for the fictional city: impressions made with the scanner simulator,
registered through the same services (and so through the same checks and review)."""

from __future__ import annotations

from datetime import date

from app.seal import services
from app.timeutil import today
from hardware.scanner.base import to_grayscale
from hardware.scanner.simulator import make_seal_image

HONCHO = "岩手県山彦市本町二丁目3番4号"
DEMO_PEOPLE = (
    # resident, household, name, kana, birth date, address, seal: side mm, shape, text
    (100001, 50001, "山彦 一郎", "ヤマビコ イチロウ", date(1968, 7, 14), HONCHO, 15.0, "round", "山彦"),
    (100002, 50001, "山彦 花子", "ヤマビコ ハナコ", date(1971, 2, 3), HONCHO, 12.0, "oval", "花子"),
    (100101, 50101, "佐藤 健太", "サトウ ケンタ", date(1990, 11, 30), "岩手県山彦市川原町5番6号", 18.0, "square",
     "佐藤健太"),
)
SCANNER_DPI = 600


def load() -> None:
    day = today()
    for resident, household, name, kana, birth, address, side, shape, text in DEMO_PEOPLE:
        applicant = services.Applicant(resident, household, name, kana, birth, address)
        application = services.open_registration(applicant, applicant_kind="self", identity_path="photo_id",
                                                 id_document="driver_license", today=day)
        scan = to_grayscale(make_seal_image(side, shape=shape, text=text, dpi=SCANNER_DPI, seed=resident))
        services.attach_impression(application, scan, SCANNER_DPI, "デモデータ")
        services.confirm(application, name=True, not_rubber=True, no_title=True)
        services.request_review(application)
        services.approve(application, None, day)
