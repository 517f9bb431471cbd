"""The audit log as the city reads it (issue #14 §2): rows know their programme, a person of one
programme reads that programme's rows only (000 別紙 §13, 004 特記事項 §14), and the log names
people and objects in Japanese, with links, filters without table names, and pages."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.auth import audit, objects
from app.auth.models import AuditEntry, Programme
from app.extensions import db
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
MIGRATION = next((ROOT / "migrations" / "versions").glob("*_8473f4d73e36_*.py"))


def _rows(by_type: dict[str, str]) -> None:
    for object_type, object_id in by_type.items():
        audit.record("read", object_type, object_id, f"試験 {object_type}", by=None, username="someone")
    db.session.commit()


def _programmes_seen(client) -> set[str]:
    body = client.get("/audit.csv").get_data(as_text=True)
    return {line.split(",")[1] for line in body.splitlines()[1:]}


def test_a_row_takes_its_programme_from_its_object_or_from_the_caller(app) -> None:
    assert audit.record("read", "case", 1, by=None).programme is Programme.counter
    assert audit.record("read", "furusato_donor", 1, by=None).programme is Programme.furusato
    assert audit.record("login", "user", 1, by=None).programme is None
    assert audit.record("export", "audit_log", "-", by=None, programme="furusato").programme is Programme.furusato


@pytest.mark.parametrize(("scope", "seen"), [
    ("counter", {"窓口業務"}), ("furusato", {"ふるさと納税"}),
])
def test_city_staff_read_and_export_the_log_of_their_programme_only(client, make_user, scope, seen) -> None:
    _rows({"case": "1", "furusato_donation": "2", "user": "3"})
    user = make_user("city_staff", f"city-{scope}", programme=scope)
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    page = client.get("/audit")
    assert page.status_code == 200
    assert _programmes_seen(client) == seen
    body = page.get_data(as_text=True)
    other = "寄附 #2" if scope == "counter" else "受付 #1"
    assert other not in body and "利用者 #3" not in body
    export = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert export.programme == scope and export.user_id == user.id


def test_an_admin_reads_every_row_those_of_no_programme_too(client, login_as) -> None:
    _rows({"case": "1", "furusato_donation": "2"})
    login_as("admin")
    assert _programmes_seen(client) >= {"窓口業務", "ふるさと納税", ""}


def test_operators_do_not_read_the_log(client, login_as) -> None:
    login_as("operator")
    assert client.get("/audit").status_code == 403
    assert client.get("/audit.csv").status_code == 403


def test_the_log_names_people_and_objects_and_links_to_them(client, login_as) -> None:
    admin = login_as("admin")
    audit.record("read", "furusato_donation", 361, "閲覧", by=admin)
    audit.record("login_failed", "user", "=cmd", by=None, username="=cmd")
    db.session.commit()
    body = client.get("/audit").get_data(as_text=True).split("<tbody>")[1]
    assert '<a href="/furusato/donations/361">寄附 #361</a>' in body
    assert "furusato_donation" not in body
    assert admin.display_name in body and "（未登録の利用者名「=cmd」）" in body
    assert objects.name("furusato_donation", "list") == "寄附の一覧" and objects.name("seal_record", "search") == (
        "印鑑登録原票の検索")


def test_the_log_filters_by_person_kind_and_action_and_pages(client, login_as, make_user) -> None:
    admin = login_as("admin")
    other = make_user("supervisor", "lead")
    for n in range(audit.PAGE_SIZE + 5):
        audit.record("read", "seal_record", n + 1, "閲覧", by=other)
    audit.record("update", "seal_record", 1, "変更", by=admin)
    db.session.commit()
    page = client.get("/audit").get_data(as_text=True)
    assert 'value="seal_record"' in page and ">印鑑登録原票<" in page  # the kinds by their names
    first = client.get(f"/audit?person={other.id}&object_type=seal_record&action=read").get_data(as_text=True)
    assert f"{audit.PAGE_SIZE + 5}件（1/2ページ）" in first and "次へ" in first
    second = client.get(f"/audit?person={other.id}&object_type=seal_record&action=read&page=2").get_data(as_text=True)
    assert "印鑑登録原票 #1<" in second and "前へ" in second and "変更" not in second.split("<tbody>")[1]
    assert client.get("/audit?person=nobody").status_code == 422


def _recorded_object_types() -> set[str]:
    """Every literal object type an audit.record / read_list call in app/ names."""
    found: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "record", "read_list", "_audit"):
                args = node.args[1:2] if getattr(node.func, "attr", "") != "read_list" else node.args[:1]
                found |= {a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_object_type_the_code_records_has_a_japanese_name_and_a_programme() -> None:
    missing = _recorded_object_types() - set(objects.KINDS)
    assert missing == set(), "add these to app/auth/objects.py KINDS"


def test_the_pages_the_kinds_link_to_exist(app) -> None:
    endpoints = {rule.endpoint: rule.arguments for rule in app.url_map.iter_rules()}
    for code, kind in objects.KINDS.items():
        if kind.endpoint:
            assert kind.endpoint in endpoints, code
            assert not kind.arg or kind.arg in endpoints[kind.endpoint] or kind.endpoint == "register.index", code


def _migration():
    spec = importlib.util.spec_from_file_location("migration_8473f4d73e36", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: Kinds that came after the migration (furusato_export_request is furusato_ anyway; the ledgers of
#: issue 21 are the counter's from their first row).
KINDS_AFTER_THE_MIGRATION = {"furusato_export_request", "temporary_plate", "temporary_permit", "postal_request",
                             "monthly_list", "monthly_mailout", "counter_handover", "monthly_subsidy_check",
                             "bereavement_reservation", "bereavement_slot", "counter_inquiry",
                             "reports_day_sheet", "reports_roster", "reports_work_plan",
                             "passport_application", "house_number_notice", "counter_forwarding", "returned_card"}


def test_the_migration_gives_each_kind_the_programme_the_app_gives_it() -> None:
    migration = _migration()
    for code, kind in objects.KINDS.items():
        if code in KINDS_AFTER_THE_MIGRATION:
            continue  # their rows were written with their programme: the migration never saw them
        expected = ("counter" if code in migration.COUNTER_TYPES
                    else "furusato" if code.startswith(migration.FURUSATO_PREFIX) else None)
        assert (kind.programme.value if kind.programme else None) == expected, code


def test_the_migration_fills_the_programme_of_existing_rows_and_keeps_the_log_append_only(app) -> None:
    """8473f4d73e36: rows before it get their programme from their object type."""
    db.session.rollback()
    downgrade(revision="4667eb8d9c06")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO audit_entries (at, username, action, object_type, object_id, detail, address) VALUES"
            " ('2026-10-01 10:00:00', 'a', 'read', 'case', '1', '', ''),"
            " ('2026-10-01 10:00:00', 'a', 'read', 'seal_record', '2', '', ''),"
            " ('2026-10-01 10:00:00', 'a', 'export', 'furusato_donation', '-', '', ''),"
            " ('2026-10-01 10:00:00', 'a', 'login', 'user', '4', '', '')"))
    upgrade(revision="8473f4d73e36")
    with db.engine.connect() as conn:
        rows = dict(conn.execute(sa.text("SELECT object_type, programme FROM audit_entries")).all())
    assert rows == {"case": "counter", "seal_record": "counter", "furusato_donation": "furusato", "user": None}
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_entries SET programme = 'counter'"))
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:  # the CHECK
        conn.execute(sa.text("INSERT INTO audit_entries (at, username, action, object_type, object_id, detail,"
                             " address, programme) VALUES ('2026-10-02 10:00:00', 'a', 'read', 'x', '1', '', '', 'x')"))
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entries"))
    downgrade(revision="4667eb8d9c06")
    with pytest.raises(sa.exc.DBAPIError), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_entries"))
    upgrade()


def test_the_log_names_the_person_or_thing_an_object_is(client, login_as) -> None:
    """「寄附 #361（山田 花子）」, 「端末の機器設定 #1（9番窓口 端末の…）」: names a person recognises (issue 15 §5)."""
    from datetime import date, datetime

    from app.devices import services as devices
    from app.furusato import services as furusato
    from app.furusato.models import Donation, Donor

    admin = login_as("admin")
    portal = furusato.portal_by_code("choice")
    donor = Donor(name="山田 花子", kana="ヤマダ ハナコ", postal_code="0290000", prefecture="岩手県",
                  address="山彦市1-1")
    db.session.add(donor)
    db.session.flush()
    donation = Donation(order_id="N1", portal_id=portal.id, donor_id=donor.id, amount=10000, name="山田 花子",
                        applied_at=datetime(2026, 5, 1, 10), applied_on=date(2026, 5, 1), payment_method="card",
                        status="paid")
    db.session.add(donation)
    db.session.flush()
    audit.record("read", "furusato_donation", donation.id, "閲覧", by=admin)
    terminal, _token = devices.create_terminal(devices.NewTerminal("counter-9", "9番窓口 端末", "counter_pc"))
    binding = devices.save_binding(terminal, devices.BindingInput("printer", "printer", "sim://counter-9"), by=admin)
    audit.record("update", "user", admin.id, "試験", by=admin)
    db.session.commit()
    body = client.get("/audit").get_data(as_text=True).split("<tbody>")[1]
    assert f'<a href="/furusato/donations/{donation.id}">寄附 #{donation.id}（山田 花子）</a>' in body
    assert f"端末の機器設定 #{binding.id}（9番窓口 端末のレシート・番号札プリンタ）" in body
    assert "9番窓口 端末のレシート・番号札プリンタ（printer）の接続先" in body and "counter-9 printer=" not in body
    assert f"利用者 #{admin.id}（{admin.display_name}）" in body
    assert "device_binding" not in body and "furusato_donation" not in body
