"""受領証明書の印刷バッチ (issue 16 §3): one envelope per donor sorted by postal code, numbers
gap-free (also with two batches at once), nothing kept when a batch fails, reissues waiting go
into the next batch, 発送しました and 取消して作り直す, the pages and the command line."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.models import AuditEntry
from app.core.dates import today
from app.extensions import db
from app.furusato import certificate_batches as batches
from app.furusato import services
from app.furusato.batch_models import CertificateBatch, CertificateBatchState
from app.furusato.certificate_numbers import reissue
from app.furusato.models import Certificate, CertificateCounter, Donation, DonationState, Donor
from app.tasks import files
from tests.register.test_concurrency import run_together

REISSUED = "再発行したもの"  # the reissue note on each reissued certificate


def _donor(name: str, postal: str, address: str) -> Donor:
    donor = Donor(name=name, kana="キフシャ", postal_code=postal, prefecture=address[:3], address=address)
    db.session.add(donor)
    db.session.flush()
    return donor


def _donation(donor: Donor, order: str, amount: int, paid_days_ago: int | None, *, one_stop: bool = False,
              portal: str = "choice") -> Donation:
    paid_on = today() - timedelta(days=paid_days_ago) if paid_days_ago is not None else None
    donation = Donation(order_id=order, portal_id=services.portal_by_code(portal).id, donor_id=donor.id, amount=amount,
                        name=donor.name, kana=donor.kana, postal_code=donor.postal_code, prefecture=donor.prefecture,
                        address=donor.address, phone="022-000-0000", applied_at=datetime(2026, 10, 1, 9),
                        applied_on=date(2026, 10, 1), paid_on=paid_on, payment_method="card", one_stop=one_stop,
                        status=DonationState.paid if paid_on else DonationState.unpaid)
    db.session.add(donation)
    db.session.flush()
    return donation


@pytest.fixture
def due(furusato) -> dict[str, Donation]:
    """Three donors due (one who gave three times, one with the one-stop form), one unpaid."""
    takahashi = _donor("髙橋 一郎", "9800811", "宮城県仙台市青葉区一番町1-1-1")
    yamazaki = _donor("山﨑 花子", "0210000", "岩手県一関市大手町2-2")
    far = _donor("遠方 三郎", "9000001", "沖縄県那覇市泉崎1-1")
    made = {
        "t1": _donation(takahashi, "T1", 10_000, 20), "t2": _donation(takahashi, "T2", 30_000, 10),
        "t3": _donation(takahashi, "T3", 1_234_567, 3),
        "y1": _donation(yamazaki, "Y1", 50_000, 5, one_stop=True),
        "f1": _donation(far, "F1", 20_000, 2),
        "unpaid": _donation(far, "U1", 5_000, None),
    }
    db.session.commit()
    return made


def _numbers() -> list[int]:
    return sorted(db.session.scalars(select(Certificate.number).where(Certificate.reissue_of_id.is_(None))))


def _pdf_text(batch: CertificateBatch) -> str:
    path = files.existing(batches.file_name(batch.id), ".pdf")
    assert path is not None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def _csv_rows(batch: CertificateBatch) -> list[list[str]]:
    path = files.existing(batches.file_name(batch.id), ".csv")
    assert path is not None
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_a_batch_is_one_envelope_per_donor_by_postal_code_numbered_without_gaps(app, due, make_user) -> None:
    office = make_user("operator", "office1")
    batch = batches.start(batches.BatchInput(), by=office)
    db.session.commit()  # the task runs after the commit (the unit tests' immediate queue)
    batch = db.session.get_one(CertificateBatch, batch.id, populate_existing=True)
    assert batch.state is CertificateBatchState.printable
    assert (batch.envelopes, batch.certificates, batch.one_stop_forms) == (3, 5, 1)
    assert batch.total_amount == 10_000 + 30_000 + 1_234_567 + 50_000 + 20_000
    assert _numbers() == [1, 2, 3, 4, 5]
    assert _csv_rows(batch) == [["郵便番号", "住所", "氏名", "証明書枚数"],
                                ["0210000", "岩手県一関市大手町2-2", "山﨑 花子", "1"],
                                ["9000001", "沖縄県那覇市泉崎1-1", "遠方 三郎", "1"],
                                ["9800811", "宮城県仙台市青葉区一番町1-1-1", "髙橋 一郎", "3"]]
    text = _pdf_text(batch)
    assert batch.pages == text.count("\x0c")
    assert re.search(r"封筒（通）\s+3\b", text) and re.search(r"受領証明書（枚）\s+5\b", text)  # the cover sheet
    assert "第1号〜第5号" in text
    assert text.index("山﨑 花子") < text.index("遠方 三郎") < text.index("髙橋 一郎")
    assert "1,234,567" in text and "寄附金税額控除に係る申告特例申請書" in text
    # Issued now, the donations are no longer due; not yet posted until the office says so.
    assert db.session.get_one(Donation, due["t1"].id).status is DonationState.paid
    with pytest.raises(batches.BatchRefused, match="発送を待っている受領証明書はありません"):
        batches.start(batches.BatchInput(), by=office)


def test_filters_take_only_what_they_say(app, due, make_user) -> None:
    batch = batches.start(batches.BatchInput(one_stop="wanted"), by=make_user("operator", "office1"))
    db.session.commit()
    assert db.session.get_one(CertificateBatch, batch.id, populate_existing=True).certificates == 1
    paid = today() - timedelta(days=10)
    batch = batches.start(batches.BatchInput(paid_from=paid, paid_to=paid), by=None)
    db.session.commit()
    assert db.session.scalar(select(Certificate.donation_id).where(Certificate.batch == batch.label)) == due["t2"].id


def test_bad_filters_are_refused_together_and_nothing_is_made(app, due) -> None:
    with pytest.raises(batches.BatchRefused) as refused:
        batches.start(batches.BatchInput(portal="nope", paid_from=today(), paid_to=today() - timedelta(days=1)),
                      by=None)
    assert {p.field for p in refused.value.problems} == {"portal", "paid_to"}
    with pytest.raises(batches.BatchRefused, match="発送を待っている受領証明書はありません"):
        batches.start(batches.BatchInput(due_by=today() - timedelta(days=400)), by=None)
    db.session.commit()
    assert db.session.scalar(select(func.count(CertificateBatch.id))) == 0


def test_a_batch_that_fails_while_rendering_keeps_nothing_and_uses_no_number(app, due) -> None:
    waiting = _waiting_reissue(due)
    batch = batches.start(batches.BatchInput(), by=None, queue=False)
    db.session.commit()

    def fail(done: int, total: int) -> None:
        if done == 2:
            raise RuntimeError("the printer's PDF failed")

    with pytest.raises(RuntimeError):
        batches.make(batch.id, progress=fail)
    assert db.session.get_one(CertificateBatch, batch.id).state is CertificateBatchState.making
    assert _numbers() == [1]  # only the one issued before, which the reissue copies
    assert db.session.scalar(select(CertificateCounter.last_number)) == 1
    assert db.session.get_one(Certificate, waiting).batch == ""  # the reissue still waits
    assert files.existing(batches.file_name(batch.id), ".pdf") is None
    made = batches.make(batch.id)  # run again, it does the whole
    assert made.state is CertificateBatchState.printable and _numbers() == [1, 2, 3, 4, 5]


def _waiting_reissue(due: dict[str, Donation]) -> int:
    """A certificate of F1 issued and posted before, then returned: its reissue waits."""
    from app.furusato.certificate_numbers import issue

    original = issue([due["f1"]], "earlier", by=None)[0]
    original.posted_at = datetime(2026, 11, 1)
    copy = reissue(original, by=None)
    db.session.commit()
    return copy.id


def test_a_waiting_reissue_goes_into_the_next_batch_with_its_number_marked_reissue(app, due) -> None:
    waiting = _waiting_reissue(due)
    batch = batches.start(batches.BatchInput(), by=None)
    db.session.commit()
    batch = db.session.get_one(CertificateBatch, batch.id, populate_existing=True)
    assert db.session.get_one(Certificate, waiting).batch == batch.label
    assert (batch.certificates, batch.reissues) == (5, 1)  # T1-T3, Y1 and the reissue of F1 (number 1)
    assert _numbers() == [1, 2, 3, 4, 5]
    text = _pdf_text(batch)
    assert REISSUED in text and "第1号" in text


def test_posted_marks_every_donation_once_and_a_posted_batch_cannot_be_cancelled(app, due, make_user) -> None:
    office = make_user("operator", "office1")
    batch = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    batch = db.session.get_one(CertificateBatch, batch.id, populate_existing=True)
    assert batches.confirm_posted(batch, by=office) == 5
    db.session.commit()
    states = set(db.session.scalars(select(Donation.status).where(Donation.id != due["unpaid"].id)))
    assert states == {DonationState.posted}
    assert None not in set(db.session.scalars(select(Certificate.posted_at)))
    audited = db.session.scalars(select(AuditEntry.detail).where(AuditEntry.object_type == "furusato_donation",
                                                                AuditEntry.object_id == str(due["t3"].id))).all()
    assert any("を発送（印刷バッチ" in d for d in audited)
    with pytest.raises(batches.BatchRefused, match="発送済のため"):
        batches.confirm_posted(batch, by=office)
    with pytest.raises(batches.BatchRefused, match="発送済のため、取消できません"):
        batches.cancel_and_redo(batch, by=office)


def test_a_cancelled_batch_is_redone_with_the_same_numbers(app, due, make_user) -> None:
    office = make_user("operator", "office1")
    first = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    first = db.session.get_one(CertificateBatch, first.id, populate_existing=True)
    before = {c.donation_id: c.number for c in db.session.scalars(select(Certificate))}
    redo = batches.cancel_and_redo(first, by=office)
    db.session.commit()  # the redo's task runs
    redo = db.session.get_one(CertificateBatch, redo.id, populate_existing=True)
    assert db.session.get_one(CertificateBatch, first.id).state is CertificateBatchState.cancelled
    assert redo.state is CertificateBatchState.printable and redo.certificates == 5
    after = {c.donation_id: c.number for c in db.session.scalars(select(Certificate))}
    assert after == before and _numbers() == [1, 2, 3, 4, 5]
    assert set(db.session.scalars(select(Certificate.batch))) == {redo.label}
    assert db.session.scalar(select(CertificateCounter.last_number)) == 5
    with pytest.raises(batches.BatchRefused, match="取消のため"):
        batches.cancel_and_redo(first, by=office)


def test_two_batches_at_once_number_each_donation_once_without_gaps(app, furusato) -> None:
    """Meant for PostgreSQL (TEST_DATABASE_URL): the second waits at the counter's row lock
    through the first's render, then takes what is left, numbered after the first's."""
    for n in range(12):
        _donation(_donor(f"寄附者 {n}", f"{1000000 + n * 7919:07d}", "東京都千代田区千代田1-1"), f"C{n}", 10_000, 3,
                  portal="choice" if n % 2 else "satofull")
    db.session.commit()
    # One batch for one portal, one for all: whichever runs second takes what the first left.
    made = [batches.start(batches.BatchInput(portal=code), by=None, queue=False).id for code in ("choice", "")]
    db.session.commit()
    results = run_together(app, [lambda b=b: batches.make(b).certificates for b in made])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results in ([6, 6], [0, 12])
    assert _numbers() == list(range(1, 13))
    assert db.session.scalar(select(func.count(func.distinct(Certificate.donation_id)))) == 12


def test_the_same_batch_run_twice_at_once_is_made_once(app, due) -> None:
    batch_id = batches.start(batches.BatchInput(), by=None, queue=False).id
    db.session.commit()
    results = run_together(app, [lambda: str(batches.make(batch_id).state)] * 2)
    assert results == ["printable", "printable"], results
    assert _numbers() == [1, 2, 3, 4, 5]


def test_a_batch_started_during_another_s_render_waits_and_takes_only_what_is_left(app, furusato) -> None:
    """The first batch holds the counter's lock through its render (here: paused in it); the
    second, started meanwhile for every portal, waits, then numbers only the rest, after it."""
    for n in range(8):
        _donation(_donor(f"寄附者 {n}", f"{2000000 + n:07d}", "東京都千代田区千代田1-1"), f"W{n}", 10_000, 3,
                  portal="choice" if n % 2 else "satofull")
    db.session.commit()
    first, second = (batches.start(batches.BatchInput(portal=code), by=None, queue=False).id for code in ("choice", ""))
    db.session.commit()
    rendering, second_started = threading.Event(), threading.Event()

    def pause(done: int, total: int) -> None:
        if done == 1:
            rendering.set()
            assert second_started.wait(10)
            time.sleep(0.5)  # the second is at the lock by now

    def run_first() -> list[int]:
        return [c.number for c in batches.printed_certificates(batches.make(first, progress=pause))]

    def run_second() -> list[int]:
        assert rendering.wait(10)
        second_started.set()
        return [c.number for c in batches.printed_certificates(batches.make(second))]

    results = run_together(app, [run_first, run_second])
    assert results == [[1, 2, 3, 4], [5, 6, 7, 8]], results
    assert db.session.scalar(select(func.count(func.distinct(Certificate.donation_id)))) == 8


def test_the_pages_start_a_batch_offer_its_pdf_and_confirm_the_posting(client, login_as, due) -> None:
    login_as("operator")
    assert "まだありません" in client.get("/furusato/certificates/batches").get_data(as_text=True)
    response = client.post("/furusato/certificates/batches", data={"portal": "", "one_stop": ""})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "印刷待ち" in page and "封筒 3通" in page and "発送しました" in page
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    pdf = client.get(f"/furusato/certificates/batches/{batch_id}/certificates.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    pdf.close()
    listing = client.get(f"/furusato/certificates/batches/{batch_id}/mailing-list.csv")
    assert listing.mimetype == "text/csv" and "髙橋 一郎" in listing.data.decode("utf-8-sig")
    listing.close()
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "export",
                                                                     AuditEntry.object_type == batches.SUBJECT)) == 2
    assert client.post(f"/furusato/certificates/batches/{batch_id}/posted").status_code == 303
    assert "発送済" in client.get(f"/furusato/certificates/batches/{batch_id}").get_data(as_text=True)
    again = client.post(f"/furusato/certificates/batches/{batch_id}/posted", follow_redirects=True)
    assert "発送済のため" in again.get_data(as_text=True)
    refused = client.post("/furusato/certificates/batches", data={"one_stop": ""})
    assert refused.status_code == 422 and "発送を待っている受領証明書はありません" in refused.get_data(as_text=True)
    # The donation's page says which certificate went out, in which batch, and when it was posted.
    shown = client.get(f"/furusato/donations/{due['t1'].id}").get_data(as_text=True)
    row = shown[shown.index('id="certificates"'):shown.index("<h2>疑義</h2>")]
    assert "年度 第" in row and f"#{batch_id}</a>" in row and today().isoformat() in row


def test_the_command_line_makes_a_batch_and_prints_its_summary(app, due, tmp_path: Path) -> None:
    out = tmp_path / "batch.pdf"
    result = app.test_cli_runner().invoke(args=["furusato", "certificates", "batch", "--due-by",
                                                (today() + timedelta(days=30)).isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert (summary["envelopes"], summary["certificates"], summary["state"]) == (3, 5, "printable")
    assert out.read_bytes().startswith(b"%PDF") and "髙橋 一郎" in out.with_suffix(".csv").read_text("utf-8-sig")
    again = app.test_cli_runner().invoke(args=["furusato", "certificates", "batch", "--due-by",
                                               today().isoformat(), "--out", str(out)])
    assert again.exit_code == 1 and "ありません" in json.loads(again.output.strip().splitlines()[-1])["error"]


def test_the_page_cancels_and_redoes_a_printed_batch_and_a_returned_one_goes_in_the_next(client, login_as, due) -> None:
    office = login_as("operator")
    first = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    response = client.post(f"/furusato/certificates/batches/{first.id}/redo")
    assert response.status_code == 303 and not response.headers["Location"].endswith(f"/{first.id}")
    redo = db.session.scalars(select(CertificateBatch).where(CertificateBatch.redo_of_id == first.id)).one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "印刷待ち" in page and f"#{first.id}</a> の作り直し" in page
    batches.confirm_posted(redo, by=office)
    original = db.session.scalars(select(Certificate).where(Certificate.donation_id == due["f1"].id)).one()
    copy = reissue(original, by=office)  # the post came back
    db.session.commit()
    nxt = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    nxt = db.session.get_one(CertificateBatch, nxt.id, populate_existing=True)
    assert (nxt.certificates, nxt.reissues) == (1, 1)
    assert (copy.batch, copy.number, copy.reissue_of_id) == (nxt.label, original.number, original.id)
    assert REISSUED in _pdf_text(nxt)


def test_a_batch_whose_task_was_stopped_is_run_again_from_its_page(client, login_as, due) -> None:
    from app.tasks import services as tasks

    office = login_as("operator")
    batch = batches.start(batches.BatchInput(), by=office)
    task = batches.task_of(batch)
    assert task is not None
    tasks.request_cancel(task, by=office)  # 中止 before it ran: nothing made
    db.session.commit()
    page = client.get(f"/furusato/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "作成中" in page and "もう一度作成する" in page and _numbers() == []
    assert client.post(f"/furusato/certificates/batches/{batch.id}/run").status_code == 303
    page = client.get(f"/furusato/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "印刷待ち" in page and "もう一度作成する" not in page and _numbers() == [1, 2, 3, 4, 5]
    refused = client.post(f"/furusato/certificates/batches/{batch.id}/run", follow_redirects=True)
    assert "すでにできています" in refused.get_data(as_text=True)


def test_a_returned_envelope_resent_to_the_corrected_address_goes_in_the_next_batch(app, due, make_user) -> None:
    from app.core.dates import fiscal_year
    from app.furusato import returns

    office = make_user("operator", "office1")
    first = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    first = db.session.get_one(CertificateBatch, first.id, populate_existing=True)
    batches.confirm_posted(first, by=office)
    db.session.commit()
    t3 = db.session.scalars(select(Certificate).where(Certificate.donation_id == due["t3"].id)).one()
    returned = returns.record_return(returns.ReturnInput(f"{fiscal_year(today())}年度第{t3.number}号", None,
                                                         "moved", ""), office)
    returns.close_return(returned, returns.OutcomeInput("corrected", "980-0021", "宮城県仙台市青葉区中央9-9-9",
                                                        "本人に確認"), office)
    db.session.commit()
    resend = batches.start(batches.BatchInput(), by=office)
    db.session.commit()
    resend = db.session.get_one(CertificateBatch, resend.id, populate_existing=True)
    assert (resend.envelopes, resend.certificates, resend.reissues) == (1, 3, 3)  # 髙橋's envelope, again
    assert _numbers() == [1, 2, 3, 4, 5]  # the same numbers: none taken anew
    postal, address, name, count = _csv_rows(resend)[1]
    assert (postal, address, name.startswith("髙橋"), count) == ("9800021", "宮城県仙台市青葉区中央9-9-9", True, "3")
    assert _pdf_text(resend).count(REISSUED) == 3
