"""The cashier's home page counts the bills waiting (issue 15 §5); the supervisor's, voids to decide."""

from __future__ import annotations

from tests.counter.test_home import _line


def test_the_cashier_home_page_counts_open_bills(client, login_as, make_bill) -> None:
    make_bill()
    make_bill(("resident_record_copy", 2))
    login_as("operator")
    body = client.get("/").get_data(as_text=True)
    assert _line(body, "未収の請求（会計待ち）") == ("/register", "2")
    assert "収納取消の承認待ち" not in body  # the supervisor's decision


def test_the_supervisor_home_page_lists_voids_to_approve(client, login_as, make_bill) -> None:
    login_as("supervisor")
    assert _line(client.get("/").get_data(as_text=True), "収納取消の承認待ち") == ("/register/voids", "0")
