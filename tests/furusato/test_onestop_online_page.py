"""The online one-stop file through the browser (004 §7(11)オ): the office uploads the service's
file and chooses the profile, the import runs as a task with its progress, and its page ends on
the summary (received, matched, or every refused row by row and column with nothing stored).
The file is kept encrypted and erased once imported; the task gets the file's id only; the
individual numbers are in no table, log, audit row, task row or page (§3, as in
test_onestop_flow.py); the command line and the page give the same answer (one code path)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select, text

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.onestop import vault
from app.furusato.onestop.models import IntakeChannel, MatchState, OneStopApplication, OneStopOnlineFile
from app.tasks.models import Task
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, paid_donation
from tests.furusato.test_onestop_flow import every_text_in_the_database
from tests.furusato.test_onestop_online import _file, _line, approved  # noqa: F401  (the fixture)


def _upload(client, content: bytes, profile: str = "online"):
    return client.post("/furusato/onestop/online", content_type="multipart/form-data",
                       data={"profile": profile, "file": (io.BytesIO(content), "mypage.csv")})


def _count(model) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _assert_nowhere(app, numbers: list[str], caplog, pages: list[str]) -> None:
    db.session.commit()
    stored = every_text_in_the_database()
    with app.test_request_context():
        exported = audit.export_csv(audit.AuditFilter(), "", by=db.session.scalars(select(User)).first())
    tasks_text = " ".join(str(r) for r in db.session.execute(text("SELECT params, result, error FROM tasks")))
    for number in numbers:
        assert number not in stored, "a table holds the number"
        assert number not in caplog.text, "a log holds the number"
        assert number not in exported, "the audit CSV holds the number"
        assert number not in tasks_text, "a task row holds the number"
        assert not any(number in page for page in pages), "a page shows the number"


def test_the_office_imports_a_file_as_a_task_and_the_numbers_are_sealed(approved, app, client, login_as,  # noqa: F811
                                                                       caplog) -> None:
    caplog.set_level("DEBUG")
    paid_donation(PEOPLE[0], 10_000)
    db.session.commit()
    clerk = login_as("operator")
    form = client.get("/furusato/onestop/online")
    assert form.status_code == 200 and "オンライン申請（自治体マイページ等）" in form.get_data(as_text=True)

    answer = _upload(client, _file(_line(PEOPLE[0], NUMBERS[0]), _line(PEOPLE[1], NUMBERS[1])))
    assert answer.status_code == 303
    stored = db.session.scalars(select(OneStopOnlineFile)).one()
    assert answer.headers["Location"].endswith(f"/furusato/onestop/online/{stored.id}")
    task = db.session.scalars(select(Task).where(Task.kind == "furusato.onestop_online")).one()
    assert task.params == {"file_id": stored.id} and task.state == "done", task.error
    assert (task.done, task.total, task.unit) == (2, 2, "行")

    db.session.expire_all()
    made = db.session.scalars(select(OneStopApplication).order_by(OneStopApplication.id)).all()
    assert [a.channel for a in made] == [IntakeChannel.online] * 2
    assert [a.match for a in made] == [MatchState.matched, MatchState.unmatched]
    assert vault.for_eltax(made[1].number_cipher) == NUMBERS[1]
    assert (stored.state, stored.received, stored.matched) == ("done", 2, 1)
    assert stored.application_ids == [a.id for a in made]
    assert stored.cipher is None and stored.erased_at is not None  # the file is not kept once imported

    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "2件を受け付けました（寄附者と照合済1件、要確認・未照合1件）" in page
    assert f"/furusato/onestop/{made[0].id}" in page and "照合済" in page
    assert clerk.display_name in page and clerk.username not in page  # people, not login ids
    listing = client.get("/furusato/onestop/online").get_data(as_text=True)
    task_page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "2件を受け付けました" in task_page and f"/furusato/onestop/online/{stored.id}" in task_page
    _assert_nowhere(app, NUMBERS[:2], caplog, [form.get_data(as_text=True), page, listing, task_page])


def test_the_file_is_kept_encrypted_until_its_task_runs(approved, app, login_as) -> None:  # noqa: F811
    from app.furusato.onestop import online

    user = login_as("operator")
    stored = online.start("mypage.csv", _file(_line(PEOPLE[0], NUMBERS[0])), "online", by=user)
    db.session.flush()
    assert stored.cipher is not None and NUMBERS[0].encode() not in stored.cipher
    assert NUMBERS[0].encode() in vault.open_bytes(stored.cipher)
    db.session.rollback()  # the request that failed to commit leaves no file and no task behind
    assert _count(OneStopOnlineFile) == 0 and _count(Task) == 0


def test_a_bad_file_names_each_row_and_column_and_imports_nothing(approved, app, client, login_as,  # noqa: F811
                                                                   caplog) -> None:
    caplog.set_level("DEBUG")
    login_as("supervisor")
    shifted = _line(PEOPLE[2], NUMBERS[2], birth=NUMBERS[3])  # a number where the birth date goes
    answer = _upload(client, _file(_line(PEOPLE[0], NUMBERS[0]), _line(PEOPLE[1], "123456789012"), shifted))
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "取り込めませんでした：2件の誤り（どの行も登録していません）" in page
    assert "3行目（個人番号）：個人番号は12桁で" in page and "4行目（生年月日）：生年月日の日付が読めません" in page
    assert "2行目" not in page
    assert _count(OneStopApplication) == 0
    stored = db.session.scalars(select(OneStopOnlineFile)).one()
    assert stored.state == "refused" and stored.cipher is None
    _assert_nowhere(app, [*NUMBERS[:4], "123456789012"], caplog, [page])


def test_an_upload_the_page_cannot_take_is_refused_on_the_form(approved, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    answer = _upload(client, b"", profile="no-such-profile")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "取込設定を一覧から選んでください" in page and "ファイルを選んでください" in page
    assert _count(OneStopOnlineFile) == 0 and _count(Task) == 0


def test_the_page_refuses_until_the_city_approves_online_intake(furusato, client, login_as) -> None:
    login_as("operator")
    assert "online-not-approved" in client.get("/furusato/onestop/online").get_data(as_text=True)
    answer = _upload(client, _file(_line(PEOPLE[0], NUMBERS[0])))
    assert answer.status_code == 422 and "ONESTOP_ONLINE_INTAKE" in answer.get_data(as_text=True)
    assert _count(OneStopOnlineFile) == 0 and _count(Task) == 0 and _count(OneStopApplication) == 0


def test_the_command_and_the_page_give_the_same_answer(approved, app, client, login_as, tmp_path) -> None:  # noqa: F811
    bad = _file(_line(PEOPLE[0], NUMBERS[0]), _line(PEOPLE[1], "123456789012"), _line(PEOPLE[2], NUMBERS[2],
                                                                                     birth="昭和"))
    path = tmp_path / "online.csv"
    path.write_bytes(bad)
    result = app.test_cli_runner().invoke(args=["furusato", "one-stop", "import-online", str(path)])
    assert result.exit_code == 1
    login_as("operator")
    assert _upload(client, bad).status_code == 303
    stored = db.session.scalars(select(OneStopOnlineFile)).one()
    assert json.loads(result.output)["problems"] == stored.problems and len(stored.problems) == 2

    good = _file(_line(PEOPLE[0], NUMBERS[0]))
    path.write_bytes(good)
    result = app.test_cli_runner().invoke(args=["furusato", "one-stop", "import-online", str(path)])
    assert json.loads(result.output) == {"received": 1, "matched": 0}
    assert _upload(client, _file(_line(PEOPLE[1], NUMBERS[1]))).status_code == 303
    channels = db.session.scalars(select(OneStopApplication.channel)).all()
    assert channels == [IntakeChannel.online] * 2


@pytest.mark.parametrize(("role", "programme", "allowed"), [
    ("operator", "furusato", True), ("supervisor", "furusato", True), ("city_staff", "furusato", False),
    ("operator", "counter", False), ("admin", "all", False)])
def test_only_the_donation_office_imports(approved, client, login_as, role, programme, allowed) -> None:  # noqa: F811
    login_as(role, programme=programme)
    page = client.get("/furusato/onestop/online")
    answer = _upload(client, _file(_line(PEOPLE[0], NUMBERS[0])))
    assert (page.status_code, answer.status_code) == ((200, 303) if allowed else (403, 403))
    assert _count(OneStopOnlineFile) == (1 if allowed else 0)
