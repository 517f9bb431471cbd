"""Seal test helpers: synthetic impressions from the scanner simulator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image

from hardware.scanner.base import to_grayscale
from hardware.scanner.simulator import make_seal_image


def seal(side_mm: float = 15.0, dpi: int = 600, **params: object) -> Image.Image:
    """A greyscale scan of one synthetic impression, as the scanner returns it."""
    return to_grayscale(make_seal_image(side_mm, dpi=dpi, **params))  # type: ignore[arg-type]


def mottled(image: Image.Image, dpi: int, block_mm: float, erased: float, seed: int = 5) -> Image.Image:
    """The impression with random blocks of ink left out: a half-inked, broken (かすれ) press."""
    pixels = np.asarray(image)
    block = max(1, round(block_mm / 25.4 * dpi))
    rng = np.random.default_rng(seed)
    keep = rng.random((pixels.shape[0] // block + 1, pixels.shape[1] // block + 1)) >= erased
    keep = np.kron(keep, np.ones((block, block), bool))[:pixels.shape[0], :pixels.shape[1]]
    return Image.fromarray(np.where(keep, pixels, 255).astype(np.uint8))


def on_paper(image: Image.Image, size: tuple[int, int], at: tuple[int, int], noise: float = 0.0,
             seed: int = 2) -> Image.Image:
    """The impression placed on a larger sheet at `at`, with scanner noise (grey levels)."""
    sheet = Image.new("L", size, 255)
    sheet.paste(image, at)
    if not noise:
        return sheet
    pixels = np.asarray(sheet).astype(float) + np.random.default_rng(seed).normal(0, noise, (size[1], size[0]))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


@pytest.fixture
def city(app):  # type: ignore[no-untyped-def]
    from app.core import services as core_services
    from app.extensions import db

    city = core_services.save_municipality(core_services.MunicipalityInput(
        name="山彦市", code="039993", postal_code="029-0000", address="岩手県山彦市本町一丁目1番1号",
        mayor_name="山彦 太郎", contractor_name="株式会社やまびこ窓口サービス"))
    db.session.commit()
    return city


@pytest.fixture
def applicant(app) -> Callable[..., int]:  # type: ignore[no-untyped-def]
    """A person in the registry, by resident and household number (made on first use); returns
    the resident id the operator picks."""
    from datetime import date

    from app.extensions import db
    from app.registry.models import HEAD, Household, Resident

    def make(resident_id: int = 1001, household_id: int = 501, name: str = "山田 太郎", **kwargs: object) -> int:
        values: dict[str, object] = {"kana": "ヤマダ タロウ", "birth_date": date(1980, 5, 6),
                                     "address": "岩手県山彦市本町二丁目3番4号", "status": "active"}
        values.update(kwargs)
        household = db.session.get(Household, household_id)
        if household is None:
            household = Household(id=household_id, postal_code="0290000", address=str(values["address"]),
                                  created_on=date(2010, 4, 1))
            db.session.add(household)
        if db.session.get(Resident, resident_id) is None:
            family, given = name.split()
            family_kana, given_kana = str(values["kana"]).split()
            db.session.add(Resident(
                id=resident_id, household=household, family_name=family, given_name=given,
                family_kana=family_kana, given_kana=given_kana, birth_date=values["birth_date"], sex="1",
                relationship="子" if household.members else HEAD, resident_since=date(2010, 4, 1),
                address_since=date(2010, 4, 1), notified_on=date(2010, 4, 1), status=values["status"]))
        db.session.flush()
        return resident_id

    return make


@pytest.fixture
def fees(app) -> None:  # type: ignore[no-untyped-def]
    """The register's fee schedule, which a certificate's bill is priced from."""
    from datetime import date

    from app.extensions import db
    from app.register.fees import seed_default_fees

    seed_default_fees(date(2020, 4, 1))
    db.session.commit()


def staff(role: str = "operator") -> Any:
    """A member of staff of `role`, to act as `by` in the seal services (made on first use)."""
    from sqlalchemy import select

    from app.auth import services as auth_services
    from app.auth.models import User
    from app.extensions import db

    username = f"seal-{role}"
    user = db.session.scalar(select(User).where(User.username == username))
    return user or auth_services.create_user(username, f"印鑑 {role}", role, "seal-staff-password")


def clerk() -> Any:
    return staff("operator")


def reviewer() -> Any:
    return staff("city_staff")
