"""The home page is the role's work list (issue 15 §5): the counter's and the city's lines."""

from __future__ import annotations

import re

from app.counter import inputs, review
from tests.conftest import PASSWORD
from tests.counter.test_cases import COPY_INPUT
from tests.registry.factories import yamabiko_family


def _line(body: str, label: str) -> tuple[str, str]:
    """(href, count) of the work line with this label."""
    found = re.search(r'<a href="([^"]+)"><span class="work-label">' + re.escape(label)
                      + r'</span>\s*<span class="work-count" data-count="(\d+)">', body)
    assert found, f"no work line {label}"
    return found.group(1), found.group(2)


def _login(client, user) -> str:
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client.get("/").get_data(as_text=True)


def test_operator_home_lists_returned_and_own_cases_not_the_menu(client, checked_case, operator, city) -> None:
    returned = checked_case(subject_id=yamabiko_family().members[0].id)
    inputs.save_input(returned, COPY_INPUT, operator)
    inputs.request_review(returned, operator)
    review.start_review(returned, city)
    review.return_for_correction(returned, city, "使用目的を具体的に")
    checked_case()
    body = _login(client, operator)
    assert _line(body, "差戻しされた案件") == ("/counter/?list=returned", "1")
    assert _line(body, "受付中の案件（自分の担当）") == ("/counter/?list=mine", "2")
    assert _line(body, "窓口の呼出待ち（全窓口）")[0] == "/queue/counter"
    assert 'class="card"' not in body  # no tiles repeating the sidebar
    assert "審査待ちの案件" not in body


def test_city_home_counts_cases_waiting_for_review(client, checked_case, operator, city) -> None:
    case = checked_case(subject_id=yamabiko_family().members[0].id)
    inputs.save_input(case, COPY_INPUT, operator)
    inputs.request_review(case, operator)
    body = _login(client, city)
    assert _line(body, "審査待ちの案件") == ("/counter/?list=review", "1")
    assert "差戻しされた案件" not in body and "未収の請求" not in body
