"""出力申請 (000 別紙 §8(2)): an export of more than EXPORT_WITHOUT_APPROVAL_ROWS rows of
donors' personal data is made only after a supervisor (and, for the whole database, the city)
approved a request that states its purpose and scope; the file is marked and its download
audited. A day's list is taken at once."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.extensions import db
from app.furusato.models import ExportRequest, ExportRequestState
from app.furusato.profiles import file_profiles
from app.furusato.synthetic import portal_bytes
from app.tasks.models import Task
from tests.conftest import PASSWORD

LIMIT = 5


@pytest.fixture
def app_config(tmp_path: Any) -> dict[str, Any]:
    return {"TASK_FILES_DIR": str(tmp_path / "files"), "EXPORT_WITHOUT_APPROVAL_ROWS": LIMIT}


@pytest.fixture
def donations(run_file: Any, generator: Any) -> None:
    run_file("choice", portal_bytes(file_profiles()["choice"], list(generator.donations(8, bad=0))))
    run_file("ana", portal_bytes(file_profiles()["ana"], list(generator.donations(3, bad=0))))


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    return {
        "operator": make_user("operator", "f-op", programme="furusato", display_name="寄附 担当"),
        "lead": make_user("supervisor", "f-lead", programme="furusato", display_name="統括 一郎"),
        "lead2": make_user("supervisor", "f-lead2", programme="furusato", display_name="統括 二郎"),
        "city": make_user("city_staff", "f-city", programme="furusato", display_name="市 花子"),
    }


def _as(client: Any, user: Any) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def _exports() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "export")
                                   .order_by(AuditEntry.id)))


def _request(client: Any, **search: str) -> ExportRequest:
    data = {"purpose": "ワンストップ特例の申請書の発送準備", "export_encoding": "utf-8-sig", **search}
    response = client.post("/furusato/export-requests/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalars(select(ExportRequest).order_by(ExportRequest.id.desc())).first()


def test_a_days_list_is_taken_at_once_without_a_request(client, donations, people) -> None:
    _as(client, people["operator"])
    response = client.post("/furusato/exports", data={"portal": "ana", "export_encoding": "utf-8-sig"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert len(list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))) == 4
    assert db.session.scalar(select(func.count()).select_from(ExportRequest)) == 0


def test_a_larger_export_is_sent_to_the_request_form_and_nothing_leaves(client, donations, people) -> None:
    _as(client, people["operator"])
    response = client.post("/furusato/exports", data={"portal": "choice", "export_encoding": "cp932"})
    assert response.status_code == 303 and "/furusato/export-requests/new" in response.headers["Location"]
    form = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "出力申請と承認が必要です" in form and "portal=choice" in form and "8件" in form
    assert _exports() == [] and db.session.scalar(select(func.count()).select_from(Task).where(
        Task.kind == "furusato.export")) == 0


def test_a_request_states_its_purpose(client, donations, people) -> None:
    _as(client, people["operator"])
    response = client.post("/furusato/export-requests/new", data={"purpose": "　", "export_encoding": "utf-8-sig"})
    assert response.status_code == 422 and "出力の目的を入力してください" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExportRequest)) == 0


def test_a_supervisor_approves_then_the_marked_file_is_made_for_the_requester_only(client, donations, people) -> None:
    _as(client, people["operator"])
    made = _request(client, portal="choice")
    assert made.state is ExportRequestState.pending and made.task_id is None and not made.whole
    client.post(f"/furusato/export-requests/{made.id}/approve")  # the requester cannot approve
    db.session.refresh(made)
    assert made.supervisor_id is None
    _as(client, people["lead"])
    assert f"出力申請 #{made.id}" in client.get("/furusato/export-requests").get_data(as_text=True)  # work list
    assert client.post(f"/furusato/export-requests/{made.id}/approve").status_code == 303
    db.session.refresh(made)
    assert made.state is ExportRequestState.approved and made.task_id is not None
    assert client.get(f"/furusato/exports/{made.task_id}/download").status_code == 404  # not the requester's
    _as(client, people["operator"])
    download = client.get(f"/furusato/exports/{made.task_id}/download")
    data = download.get_data()
    download.close()
    assert download.status_code == 200 and f"request{made.id}" in download.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0][0].startswith(f"# 出力申請 #{made.id} 申請：寄附 担当（")
    assert "承認：統括責任者 統括 一郎（" in lines[0][0] and "目的：ワンストップ特例" in lines[0][0]
    assert lines[1][0] == "寄附ID" and len(lines) == 2 + 8
    assert "ダウンロード（出力申請#" in _exports()[-1]


def test_the_whole_database_needs_the_city_too(client, donations, people) -> None:
    _as(client, people["operator"])
    made = _request(client)
    assert made.whole
    _as(client, people["lead"])
    client.post(f"/furusato/export-requests/{made.id}/approve")
    db.session.refresh(made)
    assert made.state is ExportRequestState.pending and made.task_id is None
    assert "市職員の承認" in client.get(f"/furusato/export-requests/{made.id}").get_data(as_text=True)
    _as(client, people["city"])
    assert f"出力申請 #{made.id}" in client.get("/furusato/export-requests").get_data(as_text=True)
    client.post(f"/furusato/export-requests/{made.id}/approve")
    db.session.refresh(made)
    assert made.state is ExportRequestState.approved and made.city_id == people["city"].id
    assert [a for a in db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "furusato_export_request").order_by(AuditEntry.id))] == [
        "create", "approve", "approve"]


def test_the_city_does_not_approve_a_filtered_request_for_the_supervisor(client, donations, people) -> None:
    _as(client, people["operator"])
    made = _request(client, portal="choice")
    _as(client, people["city"])
    assert f"出力申請 #{made.id}" not in client.get("/furusato/export-requests").get_data(as_text=True)
    client.post(f"/furusato/export-requests/{made.id}/approve")
    db.session.refresh(made)
    assert made.state is ExportRequestState.pending and made.city_id is None


def test_a_refusal_gives_its_reason_and_ends_the_request(client, donations, people) -> None:
    _as(client, people["lead"])
    made = _request(client, portal="choice")
    _as(client, people["lead2"])
    response = client.post(f"/furusato/export-requests/{made.id}/refuse", data={"reason": ""})
    assert response.status_code == 422 and "却下の理由を入力してください" in response.get_data(as_text=True)
    client.post(f"/furusato/export-requests/{made.id}/refuse", data={"reason": "範囲が広すぎます"})
    db.session.refresh(made)
    assert made.state is ExportRequestState.refused and made.refusal_reason == "範囲が広すぎます"
    client.post(f"/furusato/export-requests/{made.id}/approve")
    db.session.refresh(made)
    assert made.state is ExportRequestState.refused and made.task_id is None


def test_operators_neither_approve_nor_refuse(client, donations, people) -> None:
    _as(client, people["lead"])
    made = _request(client, portal="choice")
    _as(client, people["operator"])
    assert client.post(f"/furusato/export-requests/{made.id}/approve").status_code == 403
    assert client.post(f"/furusato/export-requests/{made.id}/refuse", data={"reason": "x"}).status_code == 403
