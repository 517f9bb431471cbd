"""The operator's home page leads to their counter with the number waiting for it (issue 15 §5)."""

from __future__ import annotations

from tests.counter.test_home import _line


def test_the_home_page_counts_the_visitors_waiting_for_the_chosen_counter(client, login_as, office, issue) -> None:
    issue(office.a)
    issue(office.a)
    issue(office.b)
    login_as("operator")
    assert _line(client.get("/").get_data(as_text=True), "窓口の呼出待ち（全窓口）") == ("/queue/counter", "3")
    client.post("/queue/counter/select", data={"counter_id": office.counters[3].id})
    body = client.get("/").get_data(as_text=True)
    assert _line(body, "3番窓口の呼出待ち") == ("/queue/counter", "1")
    assert _line(body, "会計待ちの番号") == ("/queue/cashier", "0")
