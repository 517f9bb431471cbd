"""コールセンターの画面 (004 §7(8)): the inquiry list (the city reads it, §7(8)イ), recording an
inquiry with the donor matched, and its follow-up. Registered on the furusato blueprint."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles
from app.auth.models import Role
from app.core.dates import now
from app.furusato.calls import services as calls
from app.furusato.calls.forms import FollowUpForm, InquiryForm
from app.furusato.calls.models import Inquiry, InquiryState
from app.furusato.views import ANALYSTS, STAFF, _by, bp
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal


def _line_choices(form: InquiryForm) -> None:
    """The complaint's line is chosen from the donor's own lines."""
    donor_id = form.donor_id.data if isinstance(form.donor_id.data, int) else None
    form.shipment_line_id.choices = choices([("", "選ばない"), *(
        (str(line.id), f"L{line.id} {line.gift.name}（{line.state.label}"
                       f"{'・伝票 ' + line.tracking_number if line.tracking_number else ''}）")
        for line in calls.donor_lines(donor_id, by=_by()))])


def _list_page(form: InquiryForm, status: int = 200) -> tuple[str, int]:
    state = request.args.get("state", "")
    text = request.args.get("match", "").strip()
    by = _by()
    _line_choices(form)
    return render_template("furusato/inquiries.html", form=form, result=calls.listing(state, page_number(), by=by),
                           state=state, states=InquiryState, query={"state": state} if state else {},
                           hours=calls.hours_label(now()), match=text,
                           matches=calls.match_donors(text, by=by) if text else [],
                           may_record=by.role in (Role.operator, Role.supervisor)), status


@bp.route("/inquiries")
@roles(*ANALYSTS)
def inquiries() -> tuple[str, int]:
    donor = request.args.get("donor", type=int)
    return _list_page(InquiryForm(formdata=None, donor_id=donor))


@bp.route("/inquiries", methods=["POST"])
@roles(*STAFF)
def record_inquiry() -> BaseResponse | tuple[str, int]:
    form = InquiryForm()
    if form.validate_on_submit():
        try:
            chosen = form.shipment_line_id.data or ""
            inquiry = calls.record(input_from(form, calls.InquiryInput,
                                              shipment_line_id=int(chosen) if chosen.isdigit() else None),
                                   by=_by())
        except calls.InquiryRefused as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            opened = "配送の事故・苦情として出荷明細に記録しました。" if calls.problems_of(inquiry) else ""
            flash(f"問い合わせ #{inquiry.id}（{inquiry.category.label}）を記録しました。{opened}", "success")
            if inquiry.donor_id is not None:
                return redirect(url_for("furusato.donor", donor_id=inquiry.donor_id), 303)
            return redirect(url_for("furusato.inquiry", inquiry_id=inquiry.id), 303)
    return _list_page(form, 422)


def _read(inquiry_id: int) -> Inquiry:
    found = calls.read(inquiry_id, by=_by())
    if found is None:
        abort(404)
    return found


def _page(found: Inquiry, form: FollowUpForm, status: int = 200) -> tuple[str, int]:
    return render_template("furusato/inquiry.html", inquiry=found, form=form, problems=calls.problems_of(found),
                           may_update=_by().role in (Role.operator, Role.supervisor)), status


@bp.route("/inquiries/<int:inquiry_id>")
@roles(*ANALYSTS)
def inquiry(inquiry_id: int) -> tuple[str, int]:
    found = _read(inquiry_id)
    return _page(found, FollowUpForm(formdata=None, donor_id=found.donor_id, done=found.done, state=found.state,
                                     follow_up_on=found.follow_up_on))


@bp.route("/inquiries/<int:inquiry_id>", methods=["POST"])
@roles(*STAFF)
def update_inquiry(inquiry_id: int) -> BaseResponse | tuple[str, int]:
    found = _read(inquiry_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        data = calls.InquiryInput(found.channel, found.caller_kind, found.caller_name, found.caller_contact,
                                  form.donor_id.data, found.category, found.said, form.done.data or "",
                                  form.state.data or "", form.follow_up_on.data)
        try:
            calls.update(found, data, by=_by())
        except calls.InquiryRefused as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            flash(f"問い合わせ #{found.id}を更新しました。", "success")
            return redirect(url_for("furusato.inquiry", inquiry_id=found.id), 303)
    return _page(found, form, 422)
