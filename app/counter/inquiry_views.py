"""問い合わせ・苦情 (issue 20 §2): the form that records an inquiry or a complaint at the window
or by phone, the searchable list that pages, and a complaint's answer. Incidents are reported
through the staff domain's log (a link on the page). The rules are in app/counter/inquiries.py.
Registered on the counter blueprint (app/counter/views.py imports this module)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.core.dates import now
from app.counter import catalog, inquiries
from app.counter.inquiry_forms import ComplaintAnswerForm, InquiryForm, InquirySearchForm
from app.counter.inquiry_models import Inquiry
from app.counter.views import COUNTER, READERS, bp
from app.web.forms import choices, input_from, page_number, submitted


def _form() -> InquiryForm:
    form = InquiryForm()
    form.procedure_code.choices = choices([("", "（手続を特定しない）"),
                                           *((p.code, p.name) for p in catalog.procedure_choices())])
    return form


def _list_page(form: InquiryForm, status: int = 200) -> tuple[str, int]:
    search = InquirySearchForm(request.args)
    search.validate()
    criteria = input_from(search, inquiries.InquirySearch) if not search.errors else inquiries.InquirySearch()
    query: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("counter/inquiries.html", form=form, search=search, query=query,
                           result=inquiries.search(criteria, page_number(), by=current_user),
                           may_record=inquiries.may_record(current_user),
                           open_complaints=inquiries.open_complaints()), status


@bp.route("/inquiries")
@roles(*READERS)
def inquiries_page() -> tuple[str, int]:
    form = _form()
    if not form.is_submitted():
        form.received_at.data = now().replace(second=0, microsecond=0)
    return _list_page(form)


@bp.route("/inquiries", methods=["POST"])
@roles(*COUNTER)
def record_inquiry() -> Response | tuple[str, int]:
    form = _form()
    if done := submitted(form, lambda: inquiries.record(input_from(form, inquiries.InquiryInput), by=current_user),
                         fallback="question"):
        inquiry = done.value
        flash(f"{inquiry.kind.label}を記録しました（第{inquiry.id}号）。", "success")
        return redirect(url_for("counter.inquiries_page"), 303)
    return _list_page(form, 422)


def _inquiry(inquiry_id: int) -> Inquiry:
    inquiry = inquiries.get_inquiry(inquiry_id, by=current_user)
    if inquiry is None:
        abort(404)
    return inquiry


@bp.route("/inquiries/<int:inquiry_id>")
@roles(*READERS)
def inquiry(inquiry_id: int) -> tuple[str, int]:
    return render_template("counter/inquiry.html", inquiry=_inquiry(inquiry_id), form=ComplaintAnswerForm(),
                           may_record=inquiries.may_record(current_user)), 200


@bp.route("/inquiries/<int:inquiry_id>", methods=["POST"])
@roles(*COUNTER)
def answer_complaint(inquiry_id: int) -> Response | tuple[str, int]:
    found = _inquiry(inquiry_id)
    form = ComplaintAnswerForm()
    if submitted(form, lambda: inquiries.answer_complaint(found, form.handling.data or "", form.answer.data or "",
                                                          by=current_user)):
        flash("苦情の対応と回答を記録しました。", "success")
        return redirect(url_for("counter.inquiry", inquiry_id=found.id), 303)
    return render_template("counter/inquiry.html", inquiry=found, form=form,
                           may_record=inquiries.may_record(current_user)), 422
