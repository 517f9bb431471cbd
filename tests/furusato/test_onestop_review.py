"""The automatic part of the review, set-based (issue 17 §2 and "Speed"): it accepts exactly the
applications whose checklist holds, and leaves every other one for a person."""

from __future__ import annotations

from sqlalchemy import event, select

from app.extensions import db
from app.furusato.onestop import applications, review
from app.furusato.onestop.models import ApplicationState, OneStopApplication
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, form, paid_donation


def test_the_batch_accepts_what_the_checklist_passes_in_few_queries(furusato: None) -> None:
    for person in PEOPLE:
        paid_donation(person, 10_000)
    db.session.commit()
    good = applications.receive(form(PEOPLE[0], NUMBERS[0]), by=None)
    no_papers = applications.receive(form(PEOPLE[1], NUMBERS[1], documents=["card_front"]), by=None)
    six_cities = applications.receive(form(PEOPLE[2], NUMBERS[2], declared_five_or_fewer=False), by=None)
    stranger = applications.receive(form(("田中 次郎", "タナカ ジロウ", PEOPLE[0][2], "", "020-0021",
                                          "岩手県盛岡市中央通9-9"), NUMBERS[3]), by=None)
    db.session.commit()
    expected = {a.id: review.passes(a) for a in (good, no_papers, six_cities, stranger)}
    assert expected == {good.id: True, no_papers.id: False, six_cities.id: False, stranger.id: False}

    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert review.review_all(good.tax_year, by=None) == (1, 3)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len([s for s in statements if "furusato_onestop" in s]) <= 3  # one read, one update (and its fetch)
    db.session.commit()
    states = dict(db.session.execute(select(OneStopApplication.id, OneStopApplication.state)).all())
    assert states == {good.id: ApplicationState.accepted, no_papers.id: ApplicationState.received,
                      six_cities.id: ApplicationState.received, stranger.id: ApplicationState.received}
    assert db.session.get(OneStopApplication, good.id).accepted_by == "(system)"
