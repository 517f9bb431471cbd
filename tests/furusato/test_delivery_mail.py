"""The pre-delivery e-mails (issue 18 §3, 004 §7(6)エ) sent in bulk by a task through a real
SMTP conversation with the test's catcher, a refused mailbox recorded as a bounce; problems
with a reshipment line that the next run orders."""

from __future__ import annotations

from email.header import decode_header, make_header
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.furusato.services import FurusatoError
from app.furusato.shipping import delivery_mail, problems, runs, tracking
from app.furusato.shipping.models import LineSource, LineState, MailState, ShipmentLine
from app.tasks.models import Task
from tests.furusato.test_shipping import _paid, shop  # noqa: F401  (the fixture)


@pytest.fixture
def app_config(mail_config: dict[str, Any]) -> dict[str, Any]:
    return mail_config


def _shipped(shop) -> list[ShipmentLine]:  # noqa: F811
    _paid(email="hanako@example.jp"), _paid("G-2", 20_000, email="nobody@example.jp"), _paid(email="")
    run = runs.run_order(shop["supplier"], None)
    ordered = runs.lines_of(run)
    rows = "".join(f"L{line.id},40001234567{n},2026/12/04\r\n" for n, line in enumerate(ordered))
    tracking.import_tracking(("お客様管理番号,伝票番号,出荷予定日\r\n" + rows).encode("cp932"), None)
    db.session.commit()
    return ordered


def test_delivery_mails_go_out_in_bulk_and_a_refused_mailbox_is_a_bounce(shop, smtp_catcher) -> None:  # noqa: F811
    smtp_catcher.refuse("nobody@example.jp")
    delivery_mail.save_template("【山彦市】{gift}を発送しました", "{name} 様\n伝票番号 {tracking}\n", None)
    first, second, third = _shipped(shop)
    task = delivery_mail.queue(None)
    db.session.commit()  # the immediate queue runs it after the commit
    (message,) = smtp_catcher.wait_for(1)
    assert message["To"] == "hanako@example.jp"
    assert str(make_header(decode_header(message["Subject"]))) == "【山彦市】山彦りんご 5kgを発送しました"
    assert "伝票番号 400012345670" in message.get_content()
    db.session.expire_all()
    assert (first.mail_state, second.mail_state, third.mail_state) == (MailState.sent, MailState.bounced, "")
    assert second.mail_error
    done = db.session.get(Task, task.id)
    assert done.result["sent"] == 1 and done.result["bounced"] == 1
    assert "hanako" not in str(done.params) + str(done.result)
    with pytest.raises(FurusatoError):  # nothing left: each line is mailed once
        delivery_mail.queue(None)


def test_a_template_with_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(FurusatoError) as refused:
        delivery_mail.save_template("件名", "{name} 様 {address}", None)
    assert refused.value.field == "body"


def test_a_damaged_parcel_gets_a_reshipment_line_in_the_next_run(shop) -> None:  # noqa: F811
    first = _shipped(shop)[0]
    item = problems.record_problem(first, problems.ProblemInput("damage", "箱がつぶれて届いた", "電話で謝罪",
                                                               "代品を発送します", complaint=True, reship=True), None)
    again = db.session.get(ShipmentLine, item.reshipment_id)
    assert (again.state, again.source, again.reshipment_of_id) == (LineState.open, LineSource.reshipment, first.id)
    run = runs.run_order(shop["supplier"], None)
    assert [line.id for line in runs.lines_of(run)] == [again.id]
    assert problems.recent(complaints_only=True)[1] == 1
    assert db.session.scalar(select(ShipmentLine.state).where(ShipmentLine.id == first.id)) == LineState.shipped
