"""寄附金受領証明書の画面: the work list of paid donations still waiting for their certificate,
with each one's due date (rules in app/furusato/certificates.py; 004 §7(4)ア).
Registered on the furusato blueprint (app/furusato/views.py imports this module)."""

from __future__ import annotations

from flask import render_template

from app.auth.access import roles
from app.core.dates import today
from app.furusato import certificates
from app.furusato.views import ANALYSTS, _by, bp
from app.web.forms import page_number


@bp.route("/certificates/due")
@roles(*ANALYSTS)
def certificates_due() -> str:
    day = today()
    result = certificates.due_list(day, page_number(), by=_by())
    return render_template("furusato/certificates_due.html", result=result, today=day, query={})
