"""Portal imports: every profile, encodings, idempotence, updates, all-or-nothing, the CLI."""

from __future__ import annotations

import codecs
import io
import json
import re
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.furusato import imports, services
from app.furusato.imports import steps as import_steps
from app.furusato.models import (
    Correction,
    Donation,
    Donor,
    ImportBatch,
    ImportIssue,
    ImportStagingRow,
    SuspectFlag,
)
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes
from tests.conftest import ON_POSTGRES

PORTALS = ("choice", "satofull", "furunavi", "rakuten", "ana", "amazon", "mynavi", "own_site")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_every_portal_of_004_5_2_has_a_profile() -> None:
    assert set(file_profiles()) == set(PORTALS)
    assert {c for c, p in file_profiles().items() if p.limited} == {"satofull", "own_site"}


@pytest.mark.parametrize("code", PORTALS)
def test_each_profile_imports_its_own_layout(run_file, portal_file, generator, code: str) -> None:
    donations = list(generator.donations(40, prefix="T", bad=0))
    batch, counts = run_file(code, portal_file(code, donations))
    assert batch.status == "applied", counts.issues
    assert (counts.created, counts.error_count) == (40, 0)
    stored = db.session.scalar(select(Donation).where(Donation.order_id == donations[0].order_id))
    first = donations[0]
    assert stored.amount == first.amount and stored.status == first.status
    assert stored.applied_at.replace(second=0) == first.applied_at.replace(second=0)  # some portals give minutes
    assert stored.name == f"{first.person.family}\u3000{first.person.given}"
    assert stored.postal_code == f"{first.person.postal_code[:3]}-{first.person.postal_code[3:]}"
    assert stored.prefecture == first.person.prefecture
    if not file_profiles()[code].limited:
        assert stored.one_stop == first.one_stop and stored.birth_date == first.person.birth_date


@pytest.mark.parametrize(("encoding", "label"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp932", "cp932")])
def test_encoding_is_detected_and_reported(run_file, portal_file, generator, encoding: str, label: str) -> None:
    data = portal_file("ana", list(generator.donations(5, bad=0)), encoding)
    assert data.startswith(codecs.BOM_UTF8) == (encoding == "utf-8-sig")
    batch, counts = run_file("ana", data)
    assert batch.encoding == label and counts.created == 5


def test_a_file_in_neither_encoding_is_refused_not_guessed(run_file) -> None:
    data = "申込番号,申込日,寄附金額\nA1,2026-04-01,10000\n".encode("euc_jp")
    batch, counts = run_file("ana", data)
    assert batch.status == "refused" and _count(Donation) == 0
    assert "文字コードを判別できません" in counts.issues[0].reason


def test_a_file_that_stops_decoding_names_the_row(run_file, portal_file, generator) -> None:
    good = portal_file("ana", list(generator.donations(3, bad=0)), "utf-8")
    broken = good + b"Z1,2026-04-02 10:00:00,,10000,,\x93\xfc\x8b\xe0\x8d\xcf,,,,,,,,,,,,\r\n"  # cp932 bytes
    batch, counts = run_file("ana", broken, encoding="utf-8")
    assert batch.status == "refused" and _count(Donation) == 0
    assert "ファイルの5行目" in counts.issues[0].reason


def test_reimporting_the_same_file_creates_nothing_twice(run_file, portal_file, generator) -> None:
    data = portal_file("choice", list(generator.donations(30, bad=0)))
    _, first = run_file("choice", data)
    donors, flags = _count(Donor), _count(SuspectFlag)
    _, second = run_file("choice", data)
    assert (first.created, second.created, second.updated, second.unchanged) == (30, 0, 0, 30)
    assert _count(Donation) == 30 and _count(Donor) == donors and _count(SuspectFlag) == flags


def test_an_overlapping_later_file_updates_payment_and_cancellation(run_file, portal_file, generator) -> None:
    day = list(generator.donations(20, bad=0))
    day = [replace(d, status="unpaid", paid_on=None) for d in day]
    run_file("rakuten", portal_file("rakuten", day[:15]))
    later = [replace(d, status="paid", paid_on=date(2026, 10, 2)) for d in day[:5]]
    later += [replace(d, status="cancelled", paid_on=None) for d in day[5:6]] + day[6:]
    batch, counts = run_file("rakuten", portal_file("rakuten", later))
    assert (counts.created, counts.updated, counts.unchanged) == (5, 6, 9)
    paid = db.session.scalar(select(Donation).where(Donation.order_id == day[0].order_id))
    assert paid.status == "paid" and paid.paid_on == date(2026, 10, 2)
    history = db.session.scalars(select(Correction).where(Correction.donation_id == paid.id)).all()
    assert {(c.field, c.old_value, c.new_value, c.source) for c in history} >= {("status", "unpaid", "paid", "import")}
    cancelled = db.session.scalar(select(Donation).where(Donation.order_id == day[5].order_id))
    assert cancelled.status == "cancelled"
    # An older export imported afterwards does not undo the payment.
    _, again = run_file("rakuten", portal_file("rakuten", day[:5]))
    assert again.updated == 0 and db.session.get(Donation, paid.id).status == "paid"


def test_a_file_with_errors_applies_nothing_and_lists_every_failing_row(run_file, portal_file, generator) -> None:
    donations = list(generator.donations(30, bad=0))
    donations[3] = replace(donations[3], bad="amount")
    donations[17] = replace(donations[17], bad="date")
    donations[25] = replace(donations[25], bad="order_id")
    batch, counts = run_file("furunavi", portal_file("furunavi", donations))
    assert batch.status == "refused" and batch.applied is False
    assert _count(Donation) == 0 and _count(Donor) == 0 and _count(SuspectFlag) == 0
    rows = {(i.row, i.field) for i in db.session.scalars(select(ImportIssue).where(ImportIssue.batch_id == batch.id))}
    assert rows == {(5, "寄付金額"), (19, "寄付日時"), (27, "寄付ID")}
    assert "1万円" in next(i.reason for i in counts.issues if i.row == 5)


def test_the_good_rows_are_taken_only_when_the_operator_says_so(run_file, portal_file, generator) -> None:
    donations = list(generator.donations(10, bad=0))
    donations[2] = replace(donations[2], bad="status")
    batch, counts = run_file("ana", portal_file("ana", donations), accept_good_rows=True)
    assert batch.status == "partial" and counts.created == 9 and counts.error_count == 1
    assert _count(Donation) == 9


def test_an_error_while_applying_leaves_nothing_half_shown_and_the_batch_resumes_to_one_clean_import(
        run_file, portal_file, generator, monkeypatch, client, login_as) -> None:
    """On PostgreSQL the apply is one transaction and rolls back whole; on SQLite its steps
    commit, so the donation pages wait (nobody sees half a file) until the batch's task, run
    again (取込を再開), finishes it. Either way the result is one clean import."""
    from app.furusato import views
    from app.tasks.models import TaskState

    first = portal_file("choice", list(generator.donations(5, prefix="P", bad=0)))
    second = portal_file("choice", list(generator.donations(30, prefix="Q", bad=0, repeat=0.3)))
    run_file("choice", first)
    before = (_count(Donation), _count(Donor), _count(SuspectFlag))
    monkeypatch.setattr(import_steps, "APPLY_ROWS", 10)
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_steps, "SQLITE_STEP_SECONDS", 0)  # every piece its own step
    monkeypatch.setattr(views, "HOLD_SECONDS", 0.1)
    calls = {"n": 0}
    original = imports.apply_chunk

    def crash_on_second(ctx, good):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        original(ctx, good)

    monkeypatch.setattr(import_steps, "apply_chunk", crash_on_second)
    batch, _ = run_file("choice", second)
    task = imports.task_of(batch)
    assert task.status is TaskState.failed and "内部エラー" in task.error
    login_as("operator")
    search = client.get("/furusato/donations")
    if ON_POSTGRES:
        assert batch.status == "staged" and (_count(Donation), _count(Donor), _count(SuspectFlag)) == before
        assert search.status_code == 200
    else:
        assert batch.status == "applying" and _count(Donation) == before[0] + 10
        assert search.status_code == 503 and f"取込 #{batch.id}" in search.get_data(as_text=True)
    page = client.get(f"/furusato/imports/{batch.id}").get_data(as_text=True)
    assert "取込を再開" in page and "内部エラー" in page

    monkeypatch.setattr(import_steps, "apply_chunk", original)
    assert client.post(f"/furusato/imports/{batch.id}/resume").status_code == 303
    resumed = db.session.get(ImportBatch, batch.id, populate_existing=True)
    assert (resumed.status, resumed.created) == ("applied", 30)
    assert client.get("/furusato/donations").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ImportStagingRow)) == 0
    resumed_rows = _fingerprint()

    _empty_tables()
    run_file("choice", first)
    run_file("choice", second)
    assert _fingerprint() == resumed_rows


class Killed(BaseException):
    """The process dying where it stands: nothing after it runs (no cleanup, no rollback)."""


def test_a_batch_killed_at_any_step_and_run_again_gives_exactly_one_clean_import(
        app, run_file, portal_file, generator, monkeypatch) -> None:
    """Kill the import before each of its transactions in turn, then run the batch again from
    whatever state it was left in: the result is that of one clean import, never doubled."""
    earlier = list(generator.donations(12, prefix="E", bad=0))
    rows = list(generator.donations(30, prefix="K", bad=0, repeat=0.3))
    rows[4] = replace(rows[4], bad="amount")
    rows.append(rows[7])  # the same order twice, saying the same
    later = [replace(d, status="paid", paid_on=date(2026, 10, 2)) for d in earlier[:6]] + rows
    first, data = portal_file("choice", earlier), portal_file("choice", later)
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 8)
    monkeypatch.setattr(import_steps, "APPLY_ROWS", 6)
    monkeypatch.setattr(import_steps, "STAGE_ROWS", 3)
    monkeypatch.setattr(import_steps, "DISCARD_ROWS", 4)
    monkeypatch.setattr(import_steps, "SQLITE_STEP_SECONDS", 0)
    monkeypatch.setattr(import_steps, "SQLITE_STEP_GAP_SECONDS", 0)
    begins = {"n": 0, "kill_at": 0}
    original_begin, original_abandon = imports.Steps.begin, imports.abandon

    def begin(self):
        begins["n"] += 1
        if begins["n"] == begins["kill_at"]:
            raise Killed
        return original_begin(self)

    def abandon(*args):
        if not begins["kill_at"]:  # a killed process cleans nothing up
            original_abandon(*args)

    monkeypatch.setattr(imports.Steps, "begin", begin)
    monkeypatch.setattr(import_steps, "abandon", abandon)
    run_file("choice", first)
    begins["n"] = 0
    clean_batch, clean = run_file("choice", data, accept_good_rows=True)
    steps = begins["n"]
    expected = (_fingerprint(), _count(Correction),
                (clean.rows, clean.created, clean.updated, clean.unchanged, clean.error_count, clean.suspects))
    assert clean_batch.status == "partial" and clean.updated == 6 and clean.unchanged == 1 and steps > 15
    for kill_at in range(1, steps + 1):
        _empty_tables()
        run_file("choice", first)
        portal = services.portal_by_code("choice")
        stored = imports.store_upload("choice.csv", data, by=None)
        batch = imports.create_batch(portal, "choice.csv", import_file=stored, accept_good_rows=True)
        db.session.commit()
        begins.update(n=0, kill_at=kill_at)
        with pytest.raises(Killed):
            imports.run_batch(batch.id, io.BytesIO(data))
        db.session.rollback()
        begins["kill_at"] = 0
        done = imports.run_batch(batch.id, io.BytesIO(data))
        counts = imports.counts_of(done)
        assert (_fingerprint(), _count(Correction), (counts.rows, counts.created, counts.updated, counts.unchanged,
                                                     counts.error_count, counts.suspects)) == expected, kill_at
        assert db.session.scalar(select(func.count()).select_from(ImportStagingRow)) == 0


def test_running_a_finished_batch_again_changes_nothing(run_file, portal_file, generator) -> None:
    batch, counts = run_file("choice", portal_file("choice", list(generator.donations(20, bad=0.1))),
                             accept_good_rows=True)
    rows = _fingerprint()
    again = imports.run_batch(batch.id, None)
    imports.queue(again, by=None)
    db.session.commit()
    assert imports.counts_of(db.session.get(ImportBatch, batch.id, populate_existing=True)) == counts
    assert _fingerprint() == rows


def test_an_unknown_column_stops_the_file_until_it_is_mapped(run_file, generator) -> None:
    profile = file_profiles()["ana"]
    extra = replace(profile, columns={**profile.columns, "寄附者コメント": "notes"})
    data = portal_bytes(extra, list(generator.donations(4, bad=0)))
    batch, counts = run_file("ana", data)
    assert batch.status == "refused" and _count(Donation) == 0
    assert [(i.row, i.field, i.code) for i in counts.issues] == [(1, "寄附者コメント", "unknown_column")]
    portal = services.portal_by_code("ana")
    services.save_adjustments(portal, {"寄附者コメント": "notes"}, {}, None)
    batch, counts = run_file("ana", data)
    assert batch.status == "applied" and counts.created == 4


def test_a_file_of_another_portal_says_which_portal_it_looks_like(client, login_as, run_file, generator) -> None:
    """Issue 15 §4: a 楽天 file uploaded as ふるさとチョイス is one message naming 楽天, not an
    "unknown column" error per column."""
    data = portal_bytes(file_profiles()["rakuten"], list(generator.donations(4, bad=0)))
    batch, counts = run_file("choice", data)
    rakuten = file_profiles()["rakuten"].name
    assert batch.status == "refused" and _count(Donation) == 0
    assert [(i.row, i.code) for i in counts.issues] == [(1, "invalid")]
    assert f"{rakuten}のファイルのようです" in counts.issues[0].reason
    assert batch.message.startswith(f"このファイルは{rakuten}のファイルのようです")
    login_as("operator")
    page = client.get(f"/furusato/imports/{batch.id}").get_data(as_text=True)
    assert f"このファイルは{rakuten}のファイルのようです" in page and "取込設定にありません" not in page
    batch, counts = run_file("rakuten", data)
    assert batch.status == "applied" and counts.created == 4


def test_an_unknown_status_word_is_mapped_as_a_value(run_file, portal_file, generator) -> None:
    donations = [replace(d, bad="status") for d in generator.donations(3, bad=0)]
    batch, counts = run_file("ana", portal_file("ana", donations))
    assert {(i.code, i.value) for i in counts.issues} == {("unknown_value", "保留中")}
    _, values = services.unknown_items(batch)
    assert values == [("入金ステータス", "status", "保留中")]
    services.save_adjustments(services.portal_by_code("ana"), {}, {("status", "保留中"): "unpaid"}, None)
    batch, counts = run_file("ana", portal_file("ana", donations))
    assert counts.created == 3 and {d.status for d in db.session.scalars(select(Donation))} == {"unpaid"}


def test_the_same_order_twice_in_one_file_with_different_content_is_an_error(run_file, portal_file, generator) -> None:
    a = list(generator.donations(3, bad=0))
    twin = replace(a[0], amount=a[0].amount + 5000)
    batch, counts = run_file("ana", portal_file("ana", [*a, twin]))
    assert batch.status == "refused"
    assert counts.issues[0].row == 5 and "2行目にもあり" in counts.issues[0].reason


def test_cli_prints_a_json_summary_and_exits_by_outcome(app, furusato, portal_file, generator, tmp_path) -> None:
    good = tmp_path / "choice.csv"
    good.write_bytes(portal_file("choice", list(generator.donations(12, bad=0))))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["furusato", "import", "--portal", "choice", str(good)])
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 0
    assert (summary["created"], summary["updated"], summary["unchanged"], summary["errors"]) == (12, 0, 0, [])
    again = json.loads(runner.invoke(args=["furusato", "import", "--portal", "choice", str(good)]).output)
    assert (again["created"], again["unchanged"], again["applied"]) == (0, 12, True)

    bad = tmp_path / "bad.csv"
    rows = list(generator.donations(5, prefix="B", bad=0))
    rows[1] = replace(rows[1], bad="amount")
    bad.write_bytes(portal_file("choice", rows))
    result = runner.invoke(args=["furusato", "import", "--portal", "choice", str(bad)])
    summary = json.loads(result.output)
    assert result.exit_code == 1 and summary["applied"] is False and summary["created"] == 0
    assert summary["errors"] == [{"row": 3, "field": "寄附金額", "reason": "金額「1万円」が正しくありません。"}]
    assert runner.invoke(args=["furusato", "import", "--portal", "nosuch", str(good)]).exit_code == 2
    db.session.rollback()
    assert _count(Donation) == 12
    assert _count(ImportBatch) == 3


def test_cli_resumes_a_batch_a_failure_left_unfinished(app, furusato, portal_file, generator, tmp_path,
                                                       monkeypatch) -> None:
    """On SQLite the steps applied before the failure stay (and the pages wait) until the batch
    is resumed; PostgreSQL rolled the apply back whole, so the batch has failed, changing nothing."""
    path = tmp_path / "choice.csv"
    path.write_bytes(portal_file("choice", list(generator.donations(30, bad=0))))
    monkeypatch.setattr(import_steps, "APPLY_ROWS", 10)
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_steps, "SQLITE_STEP_SECONDS", 0)
    original = imports.apply_chunk
    calls = {"n": 0}

    def crash_on_second(ctx, good):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        original(ctx, good)

    monkeypatch.setattr(import_steps, "apply_chunk", crash_on_second)
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["furusato", "import", "--portal", "choice", str(path)])
    summary = json.loads(failed.output)
    monkeypatch.setattr(import_steps, "apply_chunk", original)
    if ON_POSTGRES:
        assert failed.exit_code == 1 and summary["status"] == "failed" and _count(Donation) == 0
        assert "何も取り込んでいません" in summary["errors"][0]["reason"]
        return
    assert failed.exit_code == 1 and summary["status"] == "applying"
    assert f"flask furusato resume {summary['batch']}" in summary["errors"][0]["reason"]
    resumed = runner.invoke(args=["furusato", "resume", str(summary["batch"])])
    again = json.loads(resumed.output)
    assert resumed.exit_code == 0 and (again["status"], again["created"]) == ("applied", 30)
    db.session.rollback()
    assert _count(Donation) == 30


def test_detect_encoding_decides_on_the_first_non_ascii_bytes() -> None:
    ascii_head = b"a,b\n" * 400_000
    assert imports.detect_encoding(io.BytesIO(ascii_head + "寄附".encode("cp932"))) == "cp932"
    assert imports.detect_encoding(io.BytesIO(ascii_head + "寄附".encode())) == "utf-8"
    assert imports.detect_encoding(io.BytesIO(b"only,ascii\n")) == "utf-8"


def _fingerprint() -> list[tuple]:
    """Every stored row, with ids replaced by their rank in their table (PostgreSQL sequences
    neither restart after a delete nor give back the ids of a rolled-back transaction), also
    where a flag's detail names other donations (#id)."""
    rank = {name: {i: n for n, i in enumerate(db.session.scalars(select(model.id).order_by(model.id)))}
            for name, model in (("donor", Donor), ("donation", Donation))}
    relative = {"donor_id": rank["donor"], "merged_into_id": rank["donor"], "donation_id": rank["donation"]}
    tables = (Donor.__table__, Donation.__table__, SuspectFlag.__table__, ImportIssue.__table__)
    skip = {"created_at", "updated_at", "batch_id", "id"}

    def value(column: str, v: object) -> object:
        if column in relative and v is not None:
            return relative[column][v]
        if column == "detail" and isinstance(v, str):
            return re.sub(r"#(\d+)", lambda m: f"#{rank['donation'].get(int(m.group(1)), '?')}", v)
        return v

    return [tuple(value(c, v) for c, v in row._mapping.items())
            for table in tables
            for row in db.session.execute(select(*(c for c in table.c if c.name not in skip)).order_by(table.c.id))]


def _empty_tables() -> None:
    """Delete every donation, donor and what hangs on them. Not row by row with the foreign keys
    checked: the donors' reference to themselves (merged_into_id) has no index, so each deleted
    donor would cost a scan of them all."""
    tables = [m.__table__ for m in (Correction, SuspectFlag, ImportIssue, ImportStagingRow, Donation, Donor)]
    db.session.rollback()
    if ON_POSTGRES:
        db.session.execute(text(f"TRUNCATE {', '.join(t.name for t in tables)} CASCADE"))
        db.session.commit()
        return
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # (outside a transaction, or it does nothing)
        try:
            with conn.begin():
                for table in tables:
                    conn.execute(table.delete())
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _index_names() -> set[str]:
    from sqlalchemy import inspect

    found = set()
    for table in (Donor.__table__, Donation.__table__, SuspectFlag.__table__):
        found |= {ix["name"] for ix in inspect(db.session.connection()).get_indexes(table.name)}
    return found


def _spy(monkeypatch, *places: tuple[object, str]) -> list[str]:
    """Record calls of module-level functions (in the module that calls them)."""
    calls: list[str] = []
    for module, name in places:
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda original=original, name=name: calls.append(name) or original())
    return calls


def test_a_large_file_in_chunks_with_deferred_indexes_gives_the_same_result(
        run_file, portal_file, generator, monkeypatch) -> None:
    rows = list(generator.donations(120, bad=0.05, repeat=0.3))
    data = portal_file("choice", rows)
    indexes = _index_names()
    assert set(imports.DEFERRED_INDEXES) <= indexes
    _, plain = run_file("choice", data, accept_good_rows=True)
    expected = _fingerprint()
    _empty_tables()
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_steps, "DEFER_INDEXES_AFTER_ROWS", 30)
    calls = _spy(monkeypatch, (import_steps, "_deferred_indexes"))
    _, fast = run_file("choice", data, accept_good_rows=True)
    # Indexes are deferred on PostgreSQL only, where the apply is one transaction; on SQLite
    # building them again would hold the write lock for as long as the build takes.
    assert calls == (["_deferred_indexes"] if ON_POSTGRES else [])
    assert (fast.rows, fast.created, fast.suspects, fast.error_count) == (
        plain.rows, plain.created, plain.suspects, plain.error_count)
    assert [(i.row, i.field, i.reason) for i in fast.issues] == [(i.row, i.field, i.reason) for i in plain.issues]
    assert _fingerprint() == expected
    assert _index_names() == indexes


def _foreign_key_names() -> set[str]:
    from sqlalchemy import inspect

    found = set()
    for table in (Donation.__table__, SuspectFlag.__table__):
        found |= {fk["name"] for fk in inspect(db.session.connection()).get_foreign_keys(table.name)}
    return found


@pytest.mark.skipif(not ON_POSTGRES, reason="keys are deferred on PostgreSQL only, where the apply is one transaction")
def test_a_bulk_load_checks_the_keys_it_deferred_once_after_it(run_file, portal_file, generator, monkeypatch) -> None:
    """A load that doubles the table drops a donation's donor key and a flag's donation key
    with the deferred indexes and adds them again after the load, which checks every row: a
    donation whose donor is missing fails the whole apply, and the keys are all still there."""
    from app.furusato.imports import applying as import_applying

    keys = _foreign_key_names()
    assert set(import_steps.DEFERRED_FOREIGN_KEYS) <= keys
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_steps, "DEFER_INDEXES_AFTER_ROWS", 30)
    original = import_applying._write_donors

    def one_donor_missing(writer, donors, at):
        real = original(writer, donors, at)
        if real:
            real[next(iter(real))] = 10**9  # a donation of this chunk names a donor that is not there
        return real

    monkeypatch.setattr(import_applying, "_write_donors", one_donor_missing)
    calls = _spy(monkeypatch, (import_steps, "_deferred_foreign_keys"))
    batch, _ = run_file("choice", portal_file("choice", list(generator.donations(60, bad=0))))
    assert calls == ["_deferred_foreign_keys"]
    assert batch.status == "staged" and _count(Donation) == 0 and _count(Donor) == 0
    assert _foreign_key_names() == keys


def test_a_refused_file_never_touches_the_indexes(run_file, portal_file, generator, monkeypatch) -> None:
    """The whole file is checked before anything is applied, so a refusal comes first."""
    rows = list(generator.donations(60, bad=0))
    rows[55] = replace(rows[55], bad="amount")
    indexes = _index_names()
    monkeypatch.setattr(import_steps, "CHUNK_ROWS", 10)
    monkeypatch.setattr(import_steps, "DEFER_INDEXES_AFTER_ROWS", 20)
    calls = _spy(monkeypatch, (import_steps, "_deferred_indexes"))
    batch, counts = run_file("choice", portal_file("choice", rows))
    assert batch.status == "refused" and _count(Donation) == 0 and calls == []
    assert _index_names() == indexes


def test_a_file_of_another_portal_with_a_column_it_added_still_says_which_portal(run_file, generator) -> None:
    """Most of the header is 楽天's (two columns 楽天 added since are unknown to every profile):
    still one message naming 楽天, not an error per column (issue 15 §4)."""
    profile = file_profiles()["rakuten"]
    changed = replace(profile, columns={**profile.columns, "新しい列1": "notes", "新しい列2": "notes"})
    batch, counts = run_file("choice", portal_bytes(changed, list(generator.donations(3, bad=0))))
    assert batch.status == "refused" and [(i.row, i.code) for i in counts.issues] == [(1, "invalid")]
    assert f"このファイルは{profile.name}のファイルのようです（見出しの列が" in batch.message
    assert f"列のうち{len(profile.columns)}列が" in batch.message


def test_a_bulk_load_ends_with_vacuum_analyze_as_a_task(run_file, portal_file, generator, monkeypatch) -> None:
    """Issue 22: after a large import the grown tables are vacuumed and analysed (ANALYZE on
    SQLite), by a task queued in the import's last transaction; a small file queues none."""
    from app.furusato.imports import upkeep
    from app.tasks import services as tasks
    from app.tasks.models import Task

    rows = list(generator.donations(12, bad=0))
    run_file("choice", portal_file("choice", rows[:4]))
    assert db.session.scalars(select(Task).where(Task.kind == imports.VACUUM_KIND)).all() == []
    monkeypatch.setattr(upkeep, "VACUUM_AFTER_ROWS", 8)
    batch, _ = run_file("choice", portal_file("choice", rows))  # 4 unchanged, 8 created
    task = db.session.scalars(select(Task).where(Task.kind == imports.VACUUM_KIND)).one()
    assert task.subject_id == batch.id and task.params == {"batch_id": batch.id}
    if task.state != "done":  # a real queue with no consumer in this test: run it as a consumer would
        db.session.commit()
        tasks.run(task.id)
        db.session.refresh(task)
    assert task.state == "done", task.error
    assert set(task.result["seconds"]) == set(imports.VACUUMED_TABLES)
    if ON_POSTGRES:
        vacuumed = db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'furusato_donations' AND vacuum_count > 0"))
        assert vacuumed == 1
