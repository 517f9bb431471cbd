"""The whole one-stop run through the pages (issue 17 Shows): intake with a scanned image,
match, deficient, the deficiency e-mail, the corrected papers, accept, the acknowledgement by
e-mail (a real SMTP catcher), the eLTAX files as a task — then the individual-number test of
§3: the numbers used are in no table, log, audit row, task row, e-mail or export but the eLTAX
data file itself."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from sqlalchemy import select, text

from app.auth import audit
from app.auth.models import User
from app.extensions import db
from app.furusato.onestop.models import ApplicationState, OneStopApplication, OneStopNotice
from app.tasks import files
from app.tasks.models import Task
from tests.furusato.onestop_fixtures import NUMBERS, PEOPLE, YEAR, paid_donation

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"scan"


@pytest.fixture
def app_config(mail_config: dict[str, Any]) -> dict[str, Any]:
    return mail_config


def every_text_in_the_database() -> str:
    """Every value of every row of every table, as text (bytes both raw and decoded)."""
    out: list[str] = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                if isinstance(value, bytes):
                    out.append(value.decode("latin-1"))
                elif value is not None:
                    out.append(str(value))
    return "\n".join(out)


def _intake(client, person, number, documents, **extra) -> Any:
    name, kana, birth, phone, postal, address = person
    data = {"tax_year": str(YEAR), "name": name, "kana": kana, "birth_date": birth.isoformat(), "gender": "男",
            "postal_code": postal, "address": address, "phone": phone, "email": "sasaki@example.jp", "number": number,
            "documents": documents, "declared_no_return": "y", "declared_five_or_fewer": "y", "form_complete": "y",
            "image": (io.BytesIO(JPEG), "scan.jpg", "image/jpeg"), **extra}
    return client.post("/furusato/onestop/new", data=data, content_type="multipart/form-data")


def _acknowledge_by_email(client, smtp_catcher, accepted) -> None:
    assert client.post("/furusato/onestop/notices", data={"kind": "acknowledgement", "method": "email",
                                                          "year": YEAR}).status_code == 303
    smtp_catcher.wait_for(1 + len(accepted))
    assert sum("受付済み通知" in m["Subject"] for m in smtp_catcher.messages) == len(accepted)
    db.session.expire_all()
    assert all(x.acknowledged_at is not None for x in accepted)
    assert {n.state for n in db.session.scalars(select(OneStopNotice))} == {"sent"}


def test_intake_to_eltax_and_the_number_is_nowhere_else(furusato, app, client, login_as, smtp_catcher, caplog) -> None:
    caplog.set_level("DEBUG")
    for person, amount in ((PEOPLE[0], 10_000), (PEOPLE[0], 20_000), (PEOPLE[1], 30_000)):
        paid_donation(person, amount)
    db.session.commit()
    login_as("operator", number_handler=True)
    answers = []

    refused = _intake(client, PEOPLE[0], "123456789012", ["card_front"])
    answers.append(refused)
    assert refused.status_code == 422 and "検査用数字" in refused.get_data(as_text=True)
    assert "123456789012" not in refused.get_data(as_text=True)
    assert db.session.scalar(select(OneStopApplication.id)) is None

    first = _intake(client, PEOPLE[0], NUMBERS[0], ["notification_card"])
    assert first.status_code == 303, first.get_data(as_text=True)
    second = _intake(client, PEOPLE[1], NUMBERS[1], ["card_front", "card_back"])
    assert second.status_code == 303
    a, b = db.session.scalars(select(OneStopApplication).order_by(OneStopApplication.id)).all()
    page = client.get(f"/furusato/onestop/{a.id}").get_data(as_text=True)
    answers.append(page)
    assert "●●●●●●●●" + NUMBERS[0][-4:] in page and 'data-item="documents" data-ok="no"' in page

    refused_accept = client.post(f"/furusato/onestop/{a.id}/accept")
    assert refused_accept.status_code == 422 and "番号確認・身元確認" in refused_accept.get_data(as_text=True)
    deficient = {"reason": "identity_document", "note": "写真付きの身分証明書がありません"}
    assert client.post(f"/furusato/onestop/{a.id}/deficient", data=deficient).status_code == 303
    sent = client.post("/furusato/onestop/notices", data={"kind": "deficiency", "method": "email", "year": YEAR})
    assert sent.status_code == 303
    smtp_catcher.wait_for(1)
    letter = smtp_catcher.messages[0]
    assert "不備のお知らせ" in letter["Subject"] and "写真付きの身分証明書" in letter.get_content()

    assert client.post(f"/furusato/onestop/{a.id}/correct", data={"documents": ["driver_license"]}).status_code == 303
    for application in (a, b):
        assert client.post(f"/furusato/onestop/{application.id}/accept").status_code == 303
    db.session.expire_all()
    assert {x.state for x in (a, b)} == {ApplicationState.accepted}
    home = client.get("/").get_data(as_text=True)
    assert "ワンストップ特例の受付済み通知（未送付）" in home

    _acknowledge_by_email(client, smtp_catcher, [a, b])

    shown = client.post(f"/furusato/onestop/{a.id}/reveal", data={"reason": "市からの照会"})
    assert NUMBERS[0] in shown.get_data(as_text=True)  # the one page that shows it, audited

    built = client.post("/furusato/onestop/eltax", data={"year": YEAR})
    task = db.session.scalars(select(Task).where(Task.kind == "furusato.onestop_eltax")).one()
    assert built.status_code == 303 and task.state == "done", task.error
    archive = zipfile.ZipFile(files.existing(task.id, ".zip"))
    names = archive.namelist()
    data_files = [n for n in names if n.endswith(".txt")]
    assert len(data_files) == 2 and len([n for n in names if n.endswith(".pdf")]) == 2
    eltax_text = b"".join(archive.read(n) for n in data_files)
    assert NUMBERS[0].encode() in eltax_text and NUMBERS[1].encode() in eltax_text  # the file is where it goes
    eltax_page = client.get(f"/furusato/onestop/eltax?year={YEAR}").get_data(as_text=True)
    answers.append(eltax_page)
    assert "神奈川県横浜市" in eltax_page

    assert_nowhere_but_the_file(app, smtp_catcher, caplog, archive, answers)


def assert_nowhere_but_the_file(app, smtp_catcher, caplog, archive, answers) -> None:
    """§3: the numbers are in no table, log, audit CSV, e-mail, PDF, page or task row."""
    names = archive.namelist()
    db.session.commit()
    with app.test_request_context():
        exported = audit.export_csv(audit.AuditFilter(), "", by=db.session.scalars(select(User)).first())
    stored = every_text_in_the_database()
    mails = "\n".join(m.as_string() for m in smtp_catcher.messages)
    pdfs = b"".join(archive.read(n) for n in names if n.endswith(".pdf"))
    for number in NUMBERS[:2]:
        assert number not in stored, "a table holds the number"
        assert number not in caplog.text, "a log holds the number"
        assert number not in exported, "the audit CSV holds the number"
        assert number not in mails, "an e-mail holds the number"
        assert number.encode() not in pdfs
        assert not any(number in (x if isinstance(x, str) else x.get_data(as_text=True)) for x in answers)
    tasks_text = " ".join(str(r) for r in db.session.execute(text("SELECT params, result, error FROM tasks")))
    assert NUMBERS[0] not in tasks_text and "sasaki@example.jp" not in tasks_text
