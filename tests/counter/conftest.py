from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from app.counter import catalog, checks, residents, visits
from app.counter.checks import CheckInput
from app.counter.models import Case
from app.register.fees import seed_default_fees


@pytest.fixture
def procedures(app, db_session) -> None:
    catalog.load()
    seed_default_fees(date(2020, 4, 1))


@pytest.fixture
def operator(make_user, procedures) -> Any:
    return make_user("operator", "op1")


@pytest.fixture
def city(make_user, procedures) -> Any:
    return make_user("city_staff", "city1")


@pytest.fixture
def open_case(operator) -> Callable[..., Case]:
    def make(code: str = "resident_record_copy", visitor: str = "山彦 太郎") -> Case:
        return visits.open_visit(visitor, [code], operator).cases[0]

    return make


@pytest.fixture
def checked_case(open_case, operator) -> Callable[..., Case]:
    """A case past 確認 for a requester who showed a driving licence."""

    def make(code: str = "resident_record_copy", subject_id: int | None = None, **recorded: Any) -> Case:
        case = open_case(code)
        if subject_id is not None:
            residents.set_subject(case, subject_id, operator)
        values = {"requester_name": "山彦 太郎", "identity_docs": ["drivers_license"], "content_checked": True,
                  "documents_checked": list(case.procedure.documents), **recorded}
        checks.save_checks(case, CheckInput(**values), operator)
        checks.confirm_checks(case, operator)
        return case

    return make
