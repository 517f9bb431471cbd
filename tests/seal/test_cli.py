"""`flask seal check FILE... --dpi N` prints one JSON line per file."""

from __future__ import annotations

import json

from app.seal.models import SealApplication
from tests.seal.conftest import seal


def test_check_prints_one_json_line_per_file(app, tmp_path) -> None:
    good, small, broken = tmp_path / "good.png", tmp_path / "small.tif", tmp_path / "broken.png"
    seal(15.0, 300).save(good)
    seal(7.0, 300, shape="square", rotation_deg=30).save(small)
    broken.write_bytes(b"not an image")
    result = app.test_cli_runner().invoke(args=["seal", "check", str(good), str(small), str(broken), "--dpi", "300"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["file"] for line in lines] == [str(good), str(small), str(broken)]
    assert all(set(line) == {"file", "ok", "side_mm", "reasons"} for line in lines)
    assert lines[0]["ok"] is True and abs(lines[0]["side_mm"] - 15.0) < 0.15 and lines[0]["reasons"] == []
    assert lines[1]["ok"] is False and "小さすぎます" in lines[1]["reasons"][0]
    assert lines[2]["ok"] is False and lines[2]["side_mm"] is None and "読み込めません" in lines[2]["reasons"][0]


def test_check_needs_the_scanner_dpi(app, tmp_path) -> None:
    path = tmp_path / "a.png"
    seal(15.0, 300).save(path, dpi=(72, 72))  # the file's own metadata is not trusted
    result = app.test_cli_runner().invoke(args=["seal", "check", str(path)])
    assert result.exit_code != 0 and "--dpi" in result.output
    wrong = app.test_cli_runner().invoke(args=["seal", "check", str(path), "--dpi", "600"])
    assert json.loads(wrong.output)["side_mm"] < 8  # the same pixels read at 600 dpi are half the size


def test_expire_inquiries_command(app, applicant) -> None:
    from datetime import date

    from app.extensions import db
    from app.seal import services
    from tests.seal.conftest import clerk

    application = services.open_registration(
        services.RegistrationInput(applicant(), applicant_kind="self", identity_path="inquiry"),
        today=date(2020, 1, 6), by=clerk())
    services.send_inquiry(application, today=date(2020, 1, 6), by=clerk())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["seal", "expire-inquiries"])
    assert "1件" in result.output
    db.session.expire_all()
    assert db.session.get(SealApplication, application.id).state == "expired"
