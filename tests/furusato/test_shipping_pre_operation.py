"""Donations from before the start of operation (004 §7(6)ク): the page previews a file with
every problem named by its row and takes it whole or not at all; the command does the same
without the browser; a bad file changes nothing."""

from __future__ import annotations

import base64
import io
import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.furusato.shipping.models import LineSource, LineState, ShipmentLine
from tests.furusato.test_shipping import PRE_HEAD, shop  # noqa: F401  (the fixture)

GOOD = (PRE_HEAD + "OLD-1,G-1,1,山田 花子,100-0001,東京都千代田区千代田1-1,,03-1234-5678,,2026-12-20,0812\r\n"
        "OLD-2,G-2,2,平泉 太郎,029-4102,岩手県西磐井郡平泉町平泉1,,0191-00-0000,,,\r\n").encode("cp932")
BAD = (PRE_HEAD + "OLD-1,G-1,1,山田 花子,100-0001,東京都千代田区千代田1-1,,03-1234-5678,,2026-12-20,0812\r\n"
       "OLD-2,G-9,1,佐藤 一郎,,宮城県仙台市青葉区一番町1-1,,022-000-0000,,2026/13/01,0900\r\n").encode("cp932")


def _lines() -> int:
    return int(db.session.scalar(select(func.count()).select_from(ShipmentLine)) or 0)


def _upload(client, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/furusato/shipping/pre-operation/preview", data={"file": (io.BytesIO(data), "old.csv")},
                       content_type="multipart/form-data")


def test_the_preview_names_every_problem_by_row_and_a_bad_file_changes_nothing(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    assert client.get("/furusato/shipping/pre-operation").status_code == 200
    response = _upload(client, BAD)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="pre-operation-confirm"' not in page
    for message in ("3行目：返礼品コード「G-9」", "3行目：お届け希望日は", "3行目：お届け先の郵便番号がありません。",
                    "3行目：配達時間帯「0900」は選べません"):
        assert message in page, message
    assert "OLD-1" in page  # the good row is shown too
    assert _lines() == 0
    # The bad file posted straight to the import is refused whole as well.
    refused = client.post("/furusato/shipping/pre-operation", data={"content": base64.b64encode(BAD).decode()})
    assert refused.status_code == 422 and "3行目" in refused.get_data(as_text=True)
    assert _lines() == 0


def test_a_good_file_is_previewed_then_taken_whole(shop, client, login_as) -> None:  # noqa: F811
    login_as("operator")
    response = _upload(client, GOOD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "2件の出荷明細を作ります（うち送付不可1件）" in page
    assert _lines() == 0  # a preview keeps nothing
    hidden = re.search(r'name="content" type="hidden" value="([^"]+)"', page)
    assert hidden, page
    done = client.post("/furusato/shipping/pre-operation", data={"content": hidden[1]})
    assert done.status_code == 303
    rows = db.session.scalars(select(ShipmentLine).order_by(ShipmentLine.id)).all()
    assert [(r.reference, r.source, r.state) for r in rows] == [
        ("OLD-1", LineSource.pre_operation, LineState.open), ("OLD-2", LineSource.pre_operation, LineState.blocked)]


def test_the_command_takes_a_good_file_and_refuses_a_bad_one_changing_nothing(shop, app, tmp_path) -> None:  # noqa: F811
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(BAD)
    good.write_bytes(GOOD)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["furusato", "shipping", "pre-operation", str(bad)])
    assert refused.exit_code == 1
    assert "3行目：お届け先の郵便番号がありません。" in refused.output
    assert json.loads(refused.output.strip().splitlines()[-1]) == {"lines": 0, "problems": 4}
    assert _lines() == 0
    taken = runner.invoke(args=["furusato", "shipping", "pre-operation", str(good)])
    assert taken.exit_code == 0, taken.output
    assert json.loads(taken.output.strip().splitlines()[-1]) == {"lines": 2, "blocked": 1}
    assert _lines() == 2
