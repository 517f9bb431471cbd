"""The audit log's pages: the city reads and exports the log of its own programme (000 別紙
§13, 004 特記事項 §14: 監査及び検査), the contractor's supervisors theirs, administrators all.
Registered on the auth blueprint (app/auth/views.py imports this module)."""

from __future__ import annotations

from typing import cast

from flask import Response, abort, render_template, request
from flask_login import current_user

from app.auth import audit, objects
from app.auth.access import roles
from app.auth.forms import AuditFilterForm
from app.auth.models import Role, User
from app.auth.views import bp
from app.web.forms import choices, input_from, page_number
from app.web.htmx import page_or_fragment

READERS = (Role.supervisor, Role.city_staff, Role.admin)


def _by() -> User:
    return cast(User, current_user._get_current_object())  # type: ignore[attr-defined]


def _form() -> AuditFilterForm:
    by = _by()
    form = AuditFilterForm(request.args)
    form.person.choices = choices([("", "すべて"), *audit.people(by=by)])
    form.object_type.choices = choices([("", "すべて"), *objects.choices(frozenset(by.programmes))])
    return form


@bp.route("/audit")
@roles(*READERS)
def audit_log() -> str | tuple[str, int]:
    form = _form()
    query = {k: v for k, v in request.args.items() if k != "page"}
    if query and not form.validate():
        return render_template("auth/audit.html", form=form, result=None, query=query), 422
    result = audit.page(input_from(form, audit.AuditFilter), page_number(), by=_by())
    return page_or_fragment("auth/audit.html", "auth/_audit_rows.html", form=form, result=result, query=query)


@bp.route("/audit.csv")
@roles(*READERS)
def audit_export() -> Response:
    form = _form()
    if not form.validate():
        abort(400)
    return Response(
        audit.export_csv(input_from(form, audit.AuditFilter), request.query_string.decode(), by=_by()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv", "Cache-Control": "no-store"},
    )
