"""The migrations are the schema's source of truth: head equals the models, and every
revision goes down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app.extensions import db


def _diff() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_head_equals_the_models(app) -> None:
    assert _diff() == []


def test_each_revision_goes_down_and_up(app) -> None:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in reversed(revisions):
        downgrade(revision=revision.down_revision or "base")
    for revision in revisions:
        upgrade(revision=revision.revision)
        downgrade(revision=revision.down_revision or "base")
        upgrade(revision=revision.revision)
    assert _diff() == []


def test_catalog_entries_edited_before_the_edit_mark_keep_their_edits(app) -> None:
    """b58995d87ea0 marks the entries an admin edited before it, from the audit log."""
    import sqlalchemy as sa

    from app.counter import catalog
    from app.counter.models import Procedure

    catalog.load()
    db.session.commit()
    edited = db.session.scalar(sa.select(Procedure.id).where(Procedure.code == "resident_record_copy"))
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision="4ed83e9f2ff2")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO audit_entries (at, username, action, object_type, object_id, detail, address) VALUES"
            " ('2026-10-01 10:00:00', 'admin', 'update', 'procedure', :id, '', ''),"
            " ('2026-10-02 11:00:00', 'admin', 'update', 'procedure', :id, '', ''),"
            " ('2026-10-03 12:00:00', 'admin', 'read', 'procedure', :other, '', '')"),
            {"id": str(edited), "other": "1"})
    upgrade(revision="b58995d87ea0")
    with db.engine.connect() as conn:
        marks = dict(conn.execute(sa.text("SELECT id, admin_edited_at FROM counter_procedures")).all())
    assert str(marks.pop(edited))[:19] == "2026-10-02 11:00:00"
    assert set(marks.values()) == {None}
    upgrade()


def test_calls_from_before_the_call_numbers_keep_their_ids_as_numbers(app) -> None:
    """22aaf90804f2 numbers the existing calls by their ids (a display open across the upgrade
    reconnects with a call id as Last-Event-ID) and new calls continue after the board's last."""
    import sqlalchemy as sa

    from app.queue import services
    from tests.queue.conftest import make_office

    office = make_office()
    tickets = [services.issue_ticket(office.a, check_hours=False) for _ in range(4)]
    db.session.commit()
    ticket_ids = [t.id for t in tickets]
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision="8ea1a4c2e7c6")
    with db.engine.begin() as conn:
        rows = [(11, "queue", ticket_ids[0]), (12, "cashier", ticket_ids[1]), (15, "queue", ticket_ids[2]),
                (17, "cashier", ticket_ids[1])]
        for call_id, board, ticket_id in rows:
            conn.execute(sa.text(
                "INSERT INTO queue_calls (id, board, ticket_id, label, place, recall, called_at)"
                " VALUES (:id, :board, :ticket, 'A-001', '1番窓口', :recall, CURRENT_TIMESTAMP)"),
                {"id": call_id, "board": board, "ticket": ticket_id, "recall": False})
    upgrade(revision="22aaf90804f2")
    with db.engine.connect() as conn:
        numbered = dict(conn.execute(sa.text("SELECT id, seq FROM queue_calls")).all())
        last = dict(conn.execute(sa.text("SELECT board, last_seq FROM queue_call_sequences")).all())
    assert numbered == {11: 11, 12: 12, 15: 15, 17: 17}
    assert last == {"queue": 15, "cashier": 17}
    upgrade()

    ticket = db.session.get(type(tickets[3]), ticket_ids[3])
    services.call_ticket(ticket, office.counters[1])
    db.session.commit()
    assert [(c.ticket_id, c.seq) for c in services.calls_after("queue", 15)] == [(ticket_ids[3], 16)]
    assert services.last_call_seq("queue") == 16 and services.last_call_seq("cashier") == 17


def test_accounts_from_before_the_programmes_work_at_the_counter_and_admins_in_both(app) -> None:
    """a1c3e5f70b92 gives existing accounts the counter's scope, administrators every programme."""
    import sqlalchemy as sa

    downgrade(revision="7a3d2b9e4c10")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (username, display_name, role, password_hash, active, created_at, password_changed_at)"
            " VALUES ('op', '窓口', 'operator', 'x', true, '2026-10-01', '2026-10-01'),"
            " ('ad', '管理', 'admin', 'x', true, '2026-10-01', '2026-10-01')"))
    upgrade(revision="a1c3e5f70b92")
    with db.engine.connect() as conn:
        scopes = {name: (scope, bool(handler)) for name, scope, handler in conn.execute(
            sa.text("SELECT username, scope, number_handler FROM users"))}
    assert scopes == {"op": ("counter", False), "ad": ("all", False)}
    upgrade()


def test_gifts_from_before_the_master_keep_their_rows_and_become_listed_or_ended(app) -> None:
    """c18a5e7d3f92 keeps the gift table's rows: active gifts are 掲載中, inactive ones 終了, with
    no supplier and cost 0; down again, the rows are as they were."""
    import sqlalchemy as sa

    downgrade(revision="a19c7e5b3d41")
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO furusato_gifts (code, name, amount, active) VALUES"
                             " ('YB-001', 'りんご', 10000, true), ('YB-002', '梨', 8000, false)"))
    upgrade(revision="c18a5e7d3f92")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, amount, state, cost, supplier_id, shipping_class FROM furusato_gifts"
                                    " ORDER BY code")).all()
    assert [tuple(r) for r in rows] == [("YB-001", 10000, "listed", 0, None, "ambient"),
                                        ("YB-002", 8000, "ended", 0, None, "ambient")]
    downgrade(revision="a19c7e5b3d41")
    with db.engine.connect() as conn:
        back = conn.execute(sa.text("SELECT code, name, amount, active FROM furusato_gifts ORDER BY code")).all()
    assert [tuple(r) for r in back] == [("YB-001", "りんご", 10000, True), ("YB-002", "梨", 8000, False)]
    upgrade()


def test_suppliers_from_before_the_carrier_profiles_keep_b2(app) -> None:
    """5b8d2e6f9a13 gives every existing supplier the B2クラウド profile (the only one until then)."""
    import sqlalchemy as sa

    downgrade(revision="3c257f6bde43")
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO furusato_suppliers (code, name, postal_code, address, contact, phone, email,"
                             " bank, order_weekdays, fewer_orders_approved, created_at) VALUES ('S-OLD', '旧事業者',"
                             " '', '', '', '', '', '', '0,3', false, '2026-12-01 09:00:00')"))
    upgrade(revision="5b8d2e6f9a13")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT code, carrier FROM furusato_suppliers")).all()
    assert [tuple(r) for r in rows] == [("S-OLD", "yamato_b2")]
    upgrade()


def test_the_bereavement_corners_entries_move_to_their_own_category_and_back(app) -> None:
    """6b2d8f4a1c70 widens the category CHECK and moves the corner's three entries to おくやみ;
    down again, they are その他 / マイナンバーカード and the CHECK refuses 'bereavement'."""
    import pytest
    import sqlalchemy as sa

    from app.counter import catalog

    catalog.load()
    db.session.commit()
    db.session.rollback()  # no transaction held while the migrations run
    corner = ("bereavement_consultation", "bereavement_documents", "my_number_card_return")
    query = sa.text("SELECT code, category FROM counter_procedures ORDER BY code")

    def categories() -> dict[str, str]:
        with db.engine.connect() as conn:
            return dict(conn.execute(query).all())

    at_head = categories()
    assert {at_head[c] for c in corner} == {"bereavement"}
    downgrade(revision="5b8d2e6f9a13")
    before = categories()
    assert {c: before[c] for c in corner} == {"bereavement_consultation": "other", "bereavement_documents": "other",
                                              "my_number_card_return": "my_number"}
    assert {c: v for c, v in before.items() if c not in corner} == {c: v for c, v in at_head.items() if c not in corner}
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE counter_procedures SET category = 'bereavement'"
                             " WHERE code = 'resident_record_copy'"))
    upgrade(revision="6b2d8f4a1c70")
    assert categories() == at_head
    upgrade()


def test_fee_rates_go_before_their_kinds_and_the_other_rates_stay(app) -> None:
    """0056c28611a6 widens the settlement rates' kind CHECK (and key) for the portals' and payment
    fees; down again, the fee rates are deleted, the others kept, and the CHECK refuses a fee."""
    import pytest
    import sqlalchemy as sa

    insert = sa.text("INSERT INTO furusato_settlement_rates (kind, key, effective_from, value, created_at, created_by)"
                     " VALUES (:kind, :key, '2026-04-01', :value, '2026-04-01 09:00:00', '')")
    with db.engine.begin() as conn:
        for kind, key, value in [("commission", "", 1200), ("portal_fee", "choice", 500),
                                 ("payment_fee", "convenience", 200)]:
            conn.execute(insert, {"kind": kind, "key": key, "value": value})
    query = sa.text("SELECT kind, key, value FROM furusato_settlement_rates ORDER BY kind")
    downgrade(revision="8d4f1b6c2e97")
    with db.engine.connect() as conn:
        assert conn.execute(query).all() == [("commission", "", 1200)]
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(insert, {"kind": "portal_fee", "key": "choice", "value": 500})
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(insert, {"kind": "payment_fee", "key": "convenience", "value": 200})
        assert len(conn.execute(query).all()) == 2


def test_both_disposal_tables_move_into_one_keeping_ids_states_people_and_links(app, make_user) -> None:
    """c7e2a9d4b813 moves furusato_disposals (ids kept) and staff_erasure_requests (after them,
    the old id in erasure_id, which the append-only audit rows name) into disposal_requests; the
    tasks follow; new requests continue after the moved ids; down again, both tables are back."""
    import sqlalchemy as sa

    from app.staff.models import DisposalKind, DisposalRequest, DisposalState
    from app.tasks.models import Task

    lead, city = make_user("supervisor", "lead"), make_user("city_staff", "city")
    tasks = [Task(kind=kind, title="t", params={"request_id": 1}, subject_type=subject, subject_id=1,
                  result={"link": link}) for kind, subject, link in (
        ("furusato.disposal", "furusato_disposal", "/furusato/retention/disposals/1"),
        ("staff.erasure", "staff_erasure", "/staff/erasures/1"))]
    db.session.add_all(tasks)
    db.session.commit()
    ids = {"lead": lead.id, "city": city.id, "t1": tasks[0].id, "t2": tasks[1].id}
    db.session.rollback()  # no transaction held while the migrations run
    downgrade(revision="c4e1a7d93b52")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO furusato_disposals (id, kind, before, items, medium, count, method, planned_on,"
            " disposed_records, deleted_files, state, requested_by_id, requested_at, decided_by_id, decided_at,"
            " decision_note, executed_by_id, task_id, finished_at) VALUES"
            " (1, 'donation', '2020-12-01', '寄附の記録', 'DB', 12, '匿名化', '2026-12-01', 12, 3, 'done', :lead,"
            "  '2026-12-01 09:00:00', :city, '2026-12-01 10:00:00', '承認します', :lead, :t1, '2026-12-01 11:00:00'),"
            " (2, 'inquiry', '2020-12-02', '問い合わせ', 'DB', 1234, '削除', '2026-12-09', NULL, NULL, 'requested',"
            "  :lead, '2026-12-02 09:00:00', NULL, NULL, '', NULL, NULL, NULL)"), ids)
        conn.execute(sa.text(
            "INSERT INTO staff_erasure_requests (id, programme, items, media, quantity, method, planned_on,"
            " erased_rows, state, requested_by_id, requested_at, decided_by_id, decided_at, decision_note,"
            " executed_by_id, task_id, finished_at) VALUES (1, 'counter', '申請者情報', '紙とデータ', '全件', '削除',"
            " '2026-12-03', 40, 'done', :lead, '2026-12-03 09:00:00', :city, '2026-12-03 10:00:00', '', :lead, :t2,"
            " '2026-12-03 11:00:00')"), ids)
        conn.execute(sa.text(
            "INSERT INTO audit_entries (at, username, action, object_type, object_id, detail, address) VALUES"
            " ('2026-12-03 09:00:00', 'lead', 'create', 'staff_erasure', '1', '', '')"))
    upgrade(revision="c7e2a9d4b813")

    rows = {r.id: r for r in db.session.scalars(sa.select(DisposalRequest))}
    assert sorted(rows) == [1, 2, 3]
    one, two, three = rows[1], rows[2], rows[3]
    assert (one.programme, one.kind, one.state, one.count, one.quantity, one.disposed_records, one.deleted_files) == (
        "furusato", DisposalKind.donation, DisposalState.done, 12, "12件", 12, 3)
    assert (one.requested_by_id, one.decided_by_id, one.executed_by_id, one.task_id) == (
        lead.id, city.id, lead.id, ids["t1"])
    assert str(one.before) == "2020-12-01" and str(one.decided_at)[:19] == "2026-12-01 10:00:00"
    assert (two.state, two.quantity, two.decided_by_id, two.erasure_id) == (DisposalState.requested, "1,234件", None,
                                                                           None)
    assert (three.programme, three.kind, three.before, three.medium, three.quantity, three.count) == (
        "counter", DisposalKind.contract_end, None, "紙とデータ", "全件", None)
    assert (three.state, three.disposed_records, three.erasure_id, three.task_id) == (
        DisposalState.done, 40, 1, ids["t2"])
    audited = db.session.scalar(sa.text("SELECT object_id FROM audit_entries WHERE object_type = 'staff_erasure'"))
    assert db.session.scalar(sa.select(DisposalRequest.id).where(DisposalRequest.erasure_id == int(audited))) == 3
    moved = {t.id: t for t in db.session.scalars(sa.select(Task).where(Task.id.in_([ids["t1"], ids["t2"]])))}
    assert [(t.kind, t.subject_type, t.subject_id, t.params, t.result) for t in moved.values()] == [
        ("disposal", "disposal", 1, {"request_id": 1}, {"link": "/furusato/retention/disposals/1"}),
        ("disposal", "disposal", 3, {"request_id": 3}, {"link": "/staff/erasures/3"})]
    made = DisposalRequest(programme="counter", kind=DisposalKind.contract_end, items="i", medium="m", quantity="q",
                           method="m", planned_on=one.planned_on, requested_by_id=lead.id)
    db.session.add(made)
    db.session.commit()
    assert made.id == 4
    db.session.rollback()

    downgrade(revision="c4e1a7d93b52")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id, kind, count, state FROM furusato_disposals ORDER BY id")).all() == [
            (1, "donation", 12, "done"), (2, "inquiry", 1234, "requested")]
        erasures = conn.execute(sa.text("SELECT id, programme, media, erased_rows FROM staff_erasure_requests"
                                        " ORDER BY id")).all()
        assert erasures == [(1, "counter", "紙とデータ", 40), (4, "counter", "m", None)]
        back = conn.execute(sa.text("SELECT kind, subject_type, subject_id FROM tasks WHERE id IN (:t1, :t2)"
                                    " ORDER BY id"), ids).all()
    assert back == [("furusato.disposal", "furusato_disposal", 1), ("staff.erasure", "staff_erasure", 1)]
    upgrade()
