"""Building households in the stand-in registry for tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.extensions import db
from app.registry.models import Household, Resident

DEFAULT_ADDRESS = "岩手県一関市竹山町7番2号"


def make_household(members: list[dict[str, Any]], address: str = DEFAULT_ADDRESS,
                   postal_code: str = "0210027") -> Household:
    """members: dicts with at least family_name, given_name, birth_date; the first is the head."""
    household = Household(postal_code=postal_code, address=address, created_on=date(2010, 4, 1))
    db.session.add(household)
    for n, m in enumerate(members):
        db.session.add(Resident(
            household=household,
            family_name=m["family_name"], given_name=m["given_name"],
            family_kana=m.get("family_kana", "ヤマビコ"), given_kana=m.get("given_kana", "タロウ"),
            birth_date=m["birth_date"], sex=m.get("sex", "1"),
            relationship=m.get("relationship", "世帯主" if n == 0 else "子"),
            domicile=m.get("domicile", "岩手県一関市竹山町7番"), domicile_head=m.get("domicile_head", "山彦　太郎"),
            resident_since=m.get("resident_since", date(2010, 4, 1)),
            address_since=m.get("address_since", date(2010, 4, 1)),
            notified_on=m.get("notified_on", date(2010, 4, 1)),
            status=m.get("status", "active"), nhi_member=m.get("nhi_member", False),
            pension_category=m.get("pension_category", ""),
        ))
    db.session.flush()
    return household


def yamabiko_family() -> Household:
    """A household of four: head, wife, a school-age child and a toddler."""
    return make_household([
        {"family_name": "山彦", "given_name": "太郎", "family_kana": "ヤマビコ", "given_kana": "タロウ",
         "birth_date": date(1980, 5, 5), "sex": "1", "nhi_member": True, "pension_category": "1"},
        {"family_name": "山彦", "given_name": "花子", "family_kana": "ヤマビコ", "given_kana": "ハナコ",
         "birth_date": date(1982, 8, 1), "sex": "2", "relationship": "妻", "nhi_member": True,
         "pension_category": "1"},
        {"family_name": "山彦", "given_name": "翔", "family_kana": "ヤマビコ", "given_kana": "ショウ",
         "birth_date": date(2016, 6, 10), "sex": "1", "relationship": "子", "nhi_member": True},
        {"family_name": "山彦", "given_name": "結", "family_kana": "ヤマビコ", "given_kana": "ユイ",
         "birth_date": date(2023, 1, 20), "sex": "2", "relationship": "子", "nhi_member": True},
    ])
