"""Mail-outs (封入・発送) and the October survey, and the handover queue (issue 21): made by the
task's own function here (the browser test runs it on a real consumer), counted for the report."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import AuditEntry
from app.core import services as core_services
from app.core.dates import today
from app.counter.monthly import handovers, lists, mailouts
from app.counter.monthly.models import LetterTemplate, MailOutState, MonthlyListKind
from app.counter.monthly.summary import monthly_checks_summary
from app.demo import DEMO_CITY
from app.extensions import db
from app.tasks import files
from app.tasks.models import Task
from tests.registry.factories import make_household


def _pdf_text(mailout_id: int) -> str:
    path = files.existing(mailouts.file_name(mailout_id), ".pdf")
    assert path is not None
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return "".join(out.split())


@pytest.fixture
def turning_70(app) -> list[int]:
    core_services.save_municipality(DEMO_CITY)
    month = today().replace(day=1)
    ids = []
    for n in range(3):
        born = month.replace(year=month.year - 70) + timedelta(days=n + 1)
        household = make_household([{"family_name": "古希", "given_name": f"{n}郎", "birth_date": born,
                                     "nhi_member": True}], address=f"岩手県山彦市本町{n}番", postal_code=f"021000{n}")
        ids.append(household.members[0].id)
    db.session.commit()
    return ids


def test_a_list_s_letters_are_made_posted_and_returned(app, make_user, turning_70) -> None:
    operator = make_user("operator")
    drawn, _ = lists.draw(MonthlyListKind.elderly_recipient, today(), by=operator)
    mailout = mailouts.from_list(drawn, by=operator)
    db.session.commit()  # the task runs here and now (the tests' immediate queue)
    db.session.expire_all()
    task = db.session.get(Task, mailout.task_id)
    assert task is not None and task.params == {"mailout_id": mailout.id}  # no personal data in the task
    assert (task.status, task.done, task.total) == ("done", 3, 3)
    made = mailouts.get(mailout.id)
    assert made is not None and made.state is MailOutState.printable and made.letters == 3 and made.pages == 3
    text = _pdf_text(mailout.id)
    assert "高齢受給者証の送付について" in text and "古希0郎" in text and "〒021-0000" in text
    assert mailouts.make(mailout.id).pages == 3  # run again: nothing more

    with pytest.raises(mailouts.MailOutError) as refused:
        mailouts.confirm_posted(made, today() + timedelta(days=1), by=operator)
    assert refused.value.problems[0].field == "posted_on"
    mailouts.confirm_posted(made, today(), by=operator)
    item = made.items[0]
    mailouts.record_return(made, item.id, today(), "宛所不明", by=operator)
    with pytest.raises(mailouts.MailOutError, match="定期実態調査だけ"):
        mailouts.record_reply(made, item.id, today(), "", by=operator)
    db.session.commit()
    summary = monthly_checks_summary(db.session, today().replace(day=1), today())
    assert (summary.mailouts_posted, summary.letters_posted, summary.letters_returned) == (1, 3, 1)
    reads = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "resident")).all()
    assert any(f"封入・発送#{mailout.id}の印刷" in d for d in reads)


def test_the_october_survey_goes_to_each_household_and_counts_replies(app, make_user, turning_70) -> None:
    operator = make_user("operator")
    with pytest.raises(mailouts.MailOutError) as refused:
        mailouts.survey(mailouts.SurveyInput(address="本町", reply_by=None), by=operator)
    assert [p.field for p in refused.value.problems] == ["reply_by"]
    with pytest.raises(mailouts.MailOutError, match="該当する世帯はありません"):
        mailouts.survey(mailouts.SurveyInput(address="どこにもない町", reply_by=today() + timedelta(days=14)),
                        by=operator)
    made = mailouts.survey(mailouts.SurveyInput(address="本町", reply_by=today() + timedelta(days=14)), by=operator)
    db.session.commit()
    db.session.expire_all()
    assert made.template is LetterTemplate.registry_survey and len(made.items) == 3
    assert made.state is MailOutState.printable
    text = _pdf_text(made.id)
    assert "住民基本台帳定期実態調査票" in text and "世帯の記録" in text and "古希1郎" in text
    mailouts.confirm_posted(made, today(), by=operator)
    mailouts.record_reply(made, made.items[0].id, today(), "訂正なし", by=operator)
    mailouts.record_reply(made, made.items[1].id, today(), "転出者あり", by=operator)
    db.session.commit()
    assert mailouts.counts(made).replied == 2
    assert monthly_checks_summary(db.session, today().replace(day=1), today()).survey_replies == 2


def test_handovers_are_answered_by_city_staff_and_counted(app, client, login_as, make_user) -> None:
    operator = make_user("operator", "op-handover")
    with pytest.raises(handovers.HandoverError) as refused:
        handovers.hand_over(handovers.HandoverInput(what="", reason="", case_id=999999), by=operator)
    assert {p.field for p in refused.value.problems} == {"what", "reason", "case_id"}
    made = handovers.hand_over(handovers.HandoverInput(what="子ども医療費 所得要件の判断",
                                                       reason="所得の判定は市が行う（000 §7(2)）"), by=operator)
    db.session.commit()
    city = login_as("city_staff")
    home = client.get("/").get_data(as_text=True)
    assert "受託者からの引継ぎ（回答待ち）" in home
    refused_page = client.post(f"/counter/monthly/handovers/{made.id}/answer", data={"answer_method": "", "answer": ""})
    assert refused_page.status_code == 422
    body = refused_page.get_data(as_text=True)
    assert "回答の方法を一覧から選んでください" in body and "回答の内容を入力してください" in body
    answered = client.post(f"/counter/monthly/handovers/{made.id}/answer",
                           data={"answer_method": "phone", "answer": "所得超過のため却下と判断"})
    assert answered.status_code == 303
    db.session.expire_all()
    found = handovers.get(made.id)
    assert found is not None and found.answered_by_id == city.id and found.answer_method == "phone"
    summary = monthly_checks_summary(db.session, today().replace(day=1), today())
    assert (summary.handovers_handed, summary.handovers_answered, summary.handovers_open) == (1, 1, 0)
    assert client.post("/counter/monthly/handovers", data={"what": "x", "reason": "y"}).status_code == 403


def test_an_operator_hands_over_from_the_page(app, client, login_as) -> None:
    login_as("operator")
    refused = client.post("/counter/monthly/handovers", data={"what": "", "reason": "", "resident_id": "１２３"})
    assert refused.status_code == 422 and "住民番号 123 の住民記録はありません" in refused.get_data(as_text=True)
    made = client.post("/counter/monthly/handovers",
                       data={"what": "後期高齢者医療 負担区分の判定", "reason": "市の判断"})
    assert made.status_code == 303
    assert "後期高齢者医療 負担区分の判定" in client.get("/counter/monthly/handovers").get_data(as_text=True)
    assert handovers.open_count() == 1
