"""The contract's end: the handover package (000 §13(2), 004 §16(4)) and the erasure of personal
data with the city's approval and a record (004 特記事項 §12). The erasure runs on this test's
own database only."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.furusato.models import Donation, Donor
from app.staff import disposal, handover
from app.staff.models import DisposalKind, DisposalState
from app.staff.refusals import StaffError
from app.tasks import files
from app.tasks.models import Task
from tests.conftest import PASSWORD
from tests.staff.conftest import days


def _login(client, user) -> None:
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def _donations(n: int = 3) -> None:
    from app.furusato.models import Portal

    portal = Portal(code="choice", name="ふるさとチョイス")
    db.session.add(portal)
    db.session.flush()
    for i in range(n):
        donor = Donor(name=f"寄附 太郎{i}", kana="キフ タロウ", postal_code="0210000", prefecture="岩手県",
                      address="一関市1-1", phone="", email="")
        db.session.add(donor)
        db.session.flush()
        db.session.add(Donation(order_id=f"A{i}", portal_id=portal.id, donor_id=donor.id, amount=10_000,
                                applied_at=datetime(2026, 5, 1, 10), applied_on=datetime(2026, 5, 1).date(),
                                payment_method="card", status="unpaid" if i else "paid"))
    db.session.commit()


def test_the_handover_package_holds_every_table_with_a_readme(client, people, make_user) -> None:
    furusato_lead = make_user("supervisor", "flead", programme="furusato")
    _donations()
    _login(client, furusato_lead)
    assert client.post("/staff/furusato/handover").status_code == 303
    task = db.session.scalar(select(Task).where(Task.kind == handover.KIND))
    db.session.refresh(task)
    assert task.succeeded, task.error
    with zipfile.ZipFile(files.path_for(task.id, ".zip")) as package:
        names = set(package.namelist())
        assert {"README.md", "in_progress.csv", "furusato_donors.csv", "furusato_donations.csv"} <= names
        donations = list(csv.reader(io.StringIO(package.read("furusato_donations.csv").decode("utf-8-sig"))))
        readme = package.read("README.md").decode()
        progress = package.read("in_progress.csv").decode("utf-8-sig")
    assert len(donations) == 4 and "order_id" in donations[0]
    assert "## furusato_donations.csv（3行）" in readme and "unpaid=入金待ち" in readme
    assert "入金待ち,2" in progress
    page = client.get("/staff/furusato/contract-end").get_data(as_text=True)
    assert "引継ぎデータ（ZIP）をダウンロードする" in page
    download = client.get(f"/staff/handover/{task.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "no-store"
    download.close()


def _erasure(items: str, medium: str, method: str, planned_on, quantity: str) -> disposal.DisposalInput:
    return disposal.DisposalInput(DisposalKind.contract_end, items, medium, method, planned_on, quantity)


def _request(people, programme="counter"):
    erasure = _erasure("窓口案件の申請者情報", "データベース", "データベースから削除", days(0), "全件")
    made = disposal.apply(programme, erasure, by=people.supervisor)
    db.session.commit()
    return made


def test_an_erasure_needs_the_citys_approval_and_the_typed_phrase(people) -> None:
    made = _request(people)
    with pytest.raises(StaffError):
        disposal.start(made, disposal.phrase(made), by=people.supervisor)  # not approved yet
    with pytest.raises(StaffError):
        disposal.decide(made, True, "", by=people.supervisor)
    disposal.decide(made, True, "承諾", by=people.city)
    with pytest.raises(StaffError) as refused:
        disposal.start(made, "消去する", by=people.supervisor)
    assert refused.value.field == "confirmation"
    with pytest.raises(StaffError):
        disposal.start(made, disposal.phrase(made), by=people.city)
    assert made.state is DisposalState.approved


def test_an_erasure_before_its_planned_day_is_refused(people) -> None:
    made = disposal.apply("counter", _erasure("項目", "媒体", "方法", days(3), "数量"), by=people.supervisor)
    disposal.decide(made, True, "", by=people.city)
    with pytest.raises(StaffError, match="処理予定日"):
        disposal.start(made, disposal.phrase(made), by=people.supervisor)


def test_the_approved_erasure_runs_once_and_writes_its_certificate(client, people, make_user) -> None:
    lead = make_user("supervisor", "flead", programme="furusato")
    clerk = make_user("city_staff", "fcity", programme="furusato")
    _donations()
    erasure = _erasure("寄附者・寄附の情報", "データベース", "削除", days(0), "寄附者3名")
    made = disposal.apply("furusato", erasure, by=lead)
    disposal.decide(made, True, "", by=clerk)
    db.session.commit()
    _login(client, lead)
    assert client.post("/staff/furusato/handover").status_code == 303
    package = files.path_for(db.session.scalar(select(Task.id).where(Task.kind == handover.KIND)), ".zip")
    assert package.exists()
    assert client.post(f"/staff/erasures/{made.id}/run", data={"confirmation": "はい"}).status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 3
    ran = client.post(f"/staff/erasures/{made.id}/run", data={"confirmation": disposal.phrase(made)})
    assert ran.status_code == 303
    db.session.expire_all()
    assert made.state is DisposalState.done and made.disposed_records == 6 and made.executed_by_id == lead.id
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 0
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 0
    assert not package.exists()  # the copy handed over goes with the data
    pdf = client.get(f"/staff/erasures/{made.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    again = client.post(f"/staff/erasures/{made.id}/run", data={"confirmation": disposal.phrase(made)})
    assert again.status_code == 422


def test_the_city_approves_an_erasure_on_its_page(client, people) -> None:
    made = _request(people)
    _login(client, people.city)
    assert "承諾する" in client.get(f"/staff/erasures/{made.id}").get_data(as_text=True)
    assert client.post(f"/staff/erasures/{made.id}/reject", data={"note": ""}).status_code == 422
    assert client.post(f"/staff/erasures/{made.id}/approve", data={"note": "承諾"}).status_code == 303
    db.session.expire_all()
    assert made.state is DisposalState.approved and made.decided_by_id == people.city.id
    assert "消去を実施する" not in client.get(f"/staff/erasures/{made.id}").get_data(as_text=True)
    _login(client, people.supervisor)
    assert "消去を実施する" in client.get(f"/staff/erasures/{made.id}").get_data(as_text=True)
