"""出力申請の画面: the request form, the approvers' work list, one request with its approval or
refusal and, once made, its file (rules in app/furusato/export_requests.py; 000 別紙 §8(2)).
Registered on the furusato blueprint (app/furusato/views.py imports this module)."""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.auth.models import User
from app.furusato import export_requests as requests_
from app.furusato import search, services
from app.furusato.forms import ExportRequestForm, RefuseExportForm, SearchForm
from app.furusato.models import ExportRequest
from app.furusato.views import ANALYSTS, bp, search_filter
from app.web import transaction
from app.web.forms import choices, input_from, show_refusal

APPROVERS = ("supervisor", "city_staff")


def _by() -> User:
    return cast(User, current_user._get_current_object())  # type: ignore[attr-defined]


def _search(formdata: MultiDict[str, str]) -> tuple[SearchForm, dict[str, str]]:
    """The search the request is for, and its fields to carry in the form."""
    form = SearchForm(formdata)
    form.portal.choices = choices([("", "すべて"), *((p.code, p.name) for p in services.portals())])
    carried = {name: formdata[name] for name in form.data if formdata.get(name)}
    return form, carried


@bp.route("/export-requests/new", methods=["GET", "POST"])
@roles(*ANALYSTS)
def new_export_request() -> str | BaseResponse | tuple[str, int]:
    search_form, carried = _search(request.form if request.method == "POST" else request.args)
    if not search_form.validate():
        abort(400)
    flt = search_filter(search_form)
    form = ExportRequestForm() if request.method == "POST" else ExportRequestForm(request.args)
    if request.method == "POST" and form.validate_on_submit():
        try:
            made = requests_.request_export(flt, input_from(form, requests_.RequestInput), by=_by())
        except requests_.ExportRequestError as exc:
            show_refusal(form, exc, fallback="purpose")
        else:
            flash("出力申請を受け付けました。承認されるとCSVが作られ、この画面からダウンロードできます。", "success")
            return redirect(url_for("furusato.export_request", export_request_id=made.id), 303)
    return render_template("furusato/export_request_new.html", form=form, carried=carried,
                           conditions=flt.describe(), rows=search.export_count(flt)), 422 if form.errors else 200


@bp.route("/export-requests")
@roles(*ANALYSTS)
def export_requests() -> str:
    """The approvers' work list (what waits for them) and one's own requests."""
    return render_template("furusato/export_requests.html", waiting=requests_.work_list(by=_by()),
                           mine=requests_.mine(by=_by()))


def _request_or_404(export_request_id: int) -> ExportRequest:
    found = requests_.get(export_request_id)
    if found is None:
        abort(404)
    return found


def _request_page(found: ExportRequest, refuse: RefuseExportForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/export_request.html", item=found, refuse=refuse,
                           can_decide=requests_.can_decide(found, _by()), needed=requests_.still_needed(found),
                           may_download=found.requested_by_id == _by().id), status


@bp.route("/export-requests/<int:export_request_id>")
@roles(*ANALYSTS)
def export_request(export_request_id: int) -> tuple[str, int]:
    return _request_page(_request_or_404(export_request_id), RefuseExportForm())


@bp.route("/export-requests/<int:export_request_id>/approve", methods=["POST"])
@roles(*APPROVERS)
def approve_export_request(export_request_id: int) -> BaseResponse:
    found = _request_or_404(export_request_id)
    if not RefuseExportForm().validate_on_submit():
        abort(400)
    try:
        requests_.approve(found, by=_by())
    except requests_.ExportRequestError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash("承認しました。" + ("CSVの作成を始めました。" if found.task_id else "残りの承認を待ちます。"), "success")
    return redirect(url_for("furusato.export_request", export_request_id=found.id), 303)


@bp.route("/export-requests/<int:export_request_id>/refuse", methods=["POST"])
@roles(*APPROVERS)
def refuse_export_request(export_request_id: int) -> BaseResponse | tuple[str, int]:
    found = _request_or_404(export_request_id)
    form = RefuseExportForm()
    if form.validate_on_submit():
        try:
            requests_.refuse(found, form.reason.data or "", by=_by())
        except requests_.ExportRequestError as exc:
            show_refusal(form, exc, fallback="reason")
        else:
            flash("出力申請を却下しました。", "success")
            return redirect(url_for("furusato.export_request", export_request_id=found.id), 303)
    transaction.discard()
    return _request_page(found, form, 422)

