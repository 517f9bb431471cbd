"""The counter manual (業務マニュアル): every active procedure of the catalog, with its rules and
documents, as a PDF (the CLI and the page)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from app.counter import catalog
from app.counter.models import Procedure
from app.extensions import db
from app.register.fees import seed_default_fees


def test_the_manual_lists_each_procedure_with_its_rules(app, client, login_as, tmp_path: Path) -> None:
    catalog.load()
    seed_default_fees(date(2020, 4, 1))
    procedure = db.session.query(Procedure).filter_by(code="passport_application").one()
    procedure.active = False  # a procedure taken out of the catalog is not in the manual
    db.session.commit()
    out = tmp_path / "manual.pdf"
    result = app.test_cli_runner().invoke(args=["reports", "manual", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True).stdout
    flat = text.replace("\n", "")
    active = catalog.list_procedures()
    assert f"（{len(active)}手続）" in flat
    assert all(p.name in flat for p in active) and procedure.name not in flat
    assert "住民票の写し 300円／通" in flat and "写真付き公的証明書1点、又はその他の書類2点" in flat
    assert "交付請求書" in flat and "使用目的・提出先（必須）" in flat
    login_as("operator")
    assert procedure.name not in client.get("/reports/manual").get_data(as_text=True)
    page = client.get("/reports/manual.pdf")
    assert page.status_code == 200 and page.data.startswith(b"%PDF")
