"""The donation CSV: small ones at once, large ones as background work with a download."""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy import insert as sa_insert

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato import exports, search, services
from app.furusato.models import Donation, Donor
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes
from app.tasks.models import Task, TaskState
from tests.consumer import Consumer


def _rows_of(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding))))


def test_a_large_export_is_made_in_the_background_and_downloaded_once_ready(
        client: Any, login_as: Any, run_file: Any, generator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "INLINE_ROWS", 10)
    monkeypatch.setattr(search, "EXPORT_PAGE_ROWS", 7)  # several pages: one BOM, no row twice
    rows = list(generator.donations(40, bad=0))
    run_file("choice", portal_bytes(file_profiles()["choice"], rows))
    login_as("supervisor")
    response = client.post("/furusato/exports", data={"portal": "choice", "export_encoding": "utf-8-sig"})
    assert response.status_code == 303 and "/furusato/exports/" in response.headers["Location"]
    task = db.session.scalars(select(Task).where(Task.kind == exports.KIND)).one()  # (the import is one too)
    assert task.status is TaskState.done and task.result["rows"] == 40  # (immediate mode: already done)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "40件のCSVを作成しました" in page and "CSVをダウンロード" in page and "portal=choice" in page
    download = client.get(f"/furusato/exports/{task.id}/download")
    data = download.data
    download.close()
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    assert data.count(b"\xef\xbb\xbf") == 1 and data.startswith(b"\xef\xbb\xbf")
    lines = _rows_of(data)
    assert lines[0][0] == "寄附ID" and len(lines) == 41 and len({line[2] for line in lines[1:]}) == 40
    audited = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")
                                 .order_by(AuditEntry.id)).all()
    assert len(audited) == 2 and "40件" in audited[0] and "ダウンロード" in audited[1]


def test_a_download_of_an_unfinished_or_swept_export_is_refused(client: Any, login_as: Any, make_user: Any) -> None:
    login_as("supervisor")
    task = Task(kind=exports.KIND, title="t", programme="furusato", params={"filter": {}, "encoding": "cp932"},
                state=TaskState.running)
    db.session.add(task)
    db.session.commit()
    assert client.get(f"/furusato/exports/{task.id}/download").status_code == 404
    assert "CSVをダウンロード" not in client.get(f"/furusato/exports/{task.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")) == 0


@pytest.fixture
def app_config(request: pytest.FixtureRequest, tmp_path: Any) -> dict[str, Any]:
    # about the background work, not the approval a large export needs (test_export_requests.py)
    config: dict[str, Any] = {"TASK_FILES_DIR": str(tmp_path / "files"), "EXPORT_WITHOUT_APPROVAL_ROWS": 1_000_000}
    if "task_consumer" in request.fixturenames:
        consumer: Consumer = request.getfixturevalue("task_consumer")
        consumer.env["TASK_FILES_DIR"] = config["TASK_FILES_DIR"]
        config.update(TASK_QUEUE_URL=consumer.url, TASK_LEASE_SECONDS=consumer.lease_seconds)
    return config


def _task_state(task_id: int) -> tuple[TaskState, int, int | None, int]:
    task = db.session.get_one(Task, task_id, populate_existing=True)
    state = (task.status, task.done, task.total, task.attempts)
    db.session.rollback()
    return state


@pytest.mark.slow
def test_an_export_killed_halfway_is_written_whole_when_a_consumer_starts_again(
        client: Any, login_as: Any, run_file: Any, generator: Any, task_consumer: Consumer) -> None:
    rows = list(generator.donations(30_000, bad=0))
    run_file("choice", portal_bytes(file_profiles()["choice"], rows))
    task_consumer.start()
    login_as("supervisor")
    response = client.post("/furusato/exports", data={"export_encoding": "cp932"})
    task_id = int(response.headers["Location"].rsplit("/", 1)[1])

    # The looks go through an engine of their own: the app's takes SQLite's write lock for every
    # transaction, which the stopped consumer may be holding.
    reader = create_engine(db.engine.url)

    def some_pages_written() -> bool:
        with reader.connect() as conn:
            status, done = conn.execute(select(Task.state, Task.done).where(Task.id == task_id)).one()
        assert TaskState(status) is not TaskState.done, "finished before it could be stopped"
        return done > 0

    task_consumer.kill_when(some_pages_written)
    reader.dispose()
    assert _task_state(task_id)[0] is TaskState.running  # as the dead consumer left it
    deadline = time.monotonic() + 120
    time.sleep(task_consumer.lease_seconds + 0.5)
    task_consumer.start()
    while (state := _task_state(task_id))[0] is not TaskState.done:
        assert time.monotonic() < deadline and state[0] is not TaskState.failed
        time.sleep(0.2)
    assert state[1] == state[2] == 30_000 and state[3] == 2
    download = client.get(f"/furusato/exports/{task_id}/download")
    data = download.data
    download.close()
    lines = _rows_of(data, "cp932")
    assert len(lines) == 30_001 and len({line[0] for line in lines[1:]}) == 30_000


def test_formula_like_donor_text_is_kept_text_in_the_export_at_once_and_in_the_background(
        client: Any, login_as: Any, run_file: Any, generator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 14 §4: a donor named =HYPERLINK(...), and one whose full-width ＝ the import folds to
    "=", are text cells in both kinds of export; the amount stays a number."""
    first, second = list(generator.donations(2, bad=0))
    rows = [dataclasses.replace(first, notes="@SUM(A1:A9)",
                                person=dataclasses.replace(first.person, family='=HYPERLINK("http://evil.example")')),
            dataclasses.replace(second, notes="-2+3", person=dataclasses.replace(second.person, family="＝1+1"))]
    run_file("choice", portal_bytes(file_profiles()["choice"], rows))
    login_as("supervisor")
    at_once = client.post("/furusato/exports", data={"export_encoding": "utf-8-sig"})
    monkeypatch.setattr(exports, "INLINE_ROWS", 1)
    queued = client.post("/furusato/exports", data={"export_encoding": "cp932"})
    download = client.get(queued.headers["Location"] + "/download")
    for lines in (_rows_of(at_once.data), _rows_of(download.data, "cp932")):
        header, *body = lines
        by_notes = {line[header.index("備考")]: line for line in body}
        assert set(by_notes) == {"'@SUM(A1:A9)", "'-2+3"}
        assert by_notes["'@SUM(A1:A9)"][header.index("氏名")].startswith("'=HYPERLINK(")
        assert by_notes["'-2+3"][header.index("氏名")].startswith("'=1+1")
        assert {line[header.index("寄附金額")] for line in body} == {str(r.amount) for r in rows}
    download.close()


@pytest.mark.slow
def test_a_50000_row_utf8_export_has_one_bom_at_the_start(furusato: Any, generator: Any) -> None:
    """Issue 15 §4: the BOM is written once, not at the head of each page of rows (Excel took
    rows 2, 2002, 4002… for text). The rows go in by one bulk insert, not through an import."""
    donor = Donor(name="寄附 者", kana="キフ シヤ")
    db.session.add(donor)
    db.session.flush()
    portal_id = services.portal_by_code("choice").id
    made = list(generator.donations(50_000, bad=0))
    db.session.execute(sa_insert(Donation), [
        {"portal_id": portal_id, "order_id": d.order_id, "donor_id": donor.id, "applied_at": d.applied_at,
         "applied_on": d.applied_at.date(), "amount": d.amount, "status": d.status,
         "name": f"{d.person.family}　{d.person.given}", "gift_code": d.gift_code} for d in made])
    db.session.commit()
    data = b"".join(chunk for _, chunk in search.export_pages(search.DonationFilter(), "utf-8-sig"))
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    lines = _rows_of(data)
    assert len(lines) == 50_001 and lines[0][0] == "寄附ID"
    assert all(not line[0].startswith("\ufeff") and line[0].isdigit() for line in lines[1:])
    assert {line[2] for line in lines[1:]} == {d.order_id for d in made}
