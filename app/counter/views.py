"""The counter's pages: reception, work lists, the case page with its steps, review, PDFs,
and the catalog. Views parse input and call the domain's services (visits, checks, inputs,
review, issue, lists, ...); the rules live there."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import ALL_STAFF, roles, serves
from app.auth.models import Programme
from app.core import desk
from app.core.dates import today
from app.core.refusal import Refusal
from app.counter import actions, card_reads, catalog, checks, inputs, linked, lists, moves, residents, visits, workflow
from app.counter.cases import CASES_CHANNEL, CaseError, case_channel, read_case, state_of
from app.counter.documents import DocumentError, reception_guide_pdf, resident_record_copy_pdf
from app.counter.forms import CaseSearchForm, CheckForm, ProcedureForm, ReceptionForm
from app.counter.forms_data import MAX_PERSONS, PERSON_KEYS, InputError, field_errors
from app.counter.ledgers import views as ledgers_views
from app.counter.models import Case, CaseState, Procedure, Visit
from app.devices import card
from app.devices.models import DeviceJob, Terminal
from app.extensions import db
from app.queue import services as queue
from app.queue import streams
from app.register import fees as register_fees
from app.registry import services as registry
from app.registry.adapter import RegistryError, SearchCriteria
from app.registry.models import RELATIONSHIPS, Sex
from app.web.forms import choices, input_from, show_refusal
from app.web.htmx import page_or_fragment, wants_fragment
from app.web.nav_item import NavItem
from app.web.transaction import discard, keep_changes

bp = serves(Blueprint("counter", __name__, url_prefix="/counter"), Programme.counter)
NAV = (
    NavItem("窓口受付", "counter.reception", "窓口業務"),
    NavItem("案件一覧・審査", "counter.cases", "窓口業務"),
    NavItem("手続一覧", "counter.catalog_list", "窓口業務"),
    NavItem("問い合わせ・苦情", "counter.inquiries_page", "窓口業務"),
    *ledgers_views.NAV,
)
BLUEPRINTS = (ledgers_views.bp,)
COUNTER = ("operator", "supervisor")
READERS = ("operator", "supervisor", "city_staff")
PERSON_ROWS = 4
SAVED = {"request_review": "審査を依頼しました。", "finish_input": "入力を完了しました。交付へ進みます。"}


def _case_or_404(case_id: int) -> Case:
    case = read_case(case_id, by=current_user)
    if case is None:
        abort(404)
    return case


def _page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, **context), status


# -- reception and visits --------------------------------------------------------------------------

def _reception_form(procedures: list[catalog.ProcedureChoice]) -> ReceptionForm:
    form = ReceptionForm()
    form.procedures.choices = choices((p.code, p.name) for p in procedures)
    return form


def _grouped_procedures(procedures: list[catalog.ProcedureChoice], leave_out: list[catalog.ProcedureChoice],
                        ) -> list[tuple[str, list[catalog.ProcedureChoice]]]:
    groups: dict[str, list[catalog.ProcedureChoice]] = {}
    for p in procedures:
        if p not in leave_out:
            groups.setdefault(p.group, []).append(p)
    return list(groups.items())


def _counter_reader() -> Terminal | None:
    counter = desk.my_counter()
    return card.counter_terminal(counter.id) if counter else None


@bp.route("/reception", methods=["GET", "POST"])
@roles(*COUNTER)
def reception() -> Response | tuple[str, int]:
    """受付, pre-bound to the ticket called at the operator's counter: the procedures of the
    ticket's category come first, and with `then=card` the card read starts at once (the
    visitor's name then comes from the card, issue 15 §1)."""
    procedures = catalog.procedure_choices()  # the form's choices and the page's groups
    form = _reception_form(procedures)
    counter = desk.my_counter()
    ticket = queue.current_ticket(counter) if counter else None
    first = catalog.procedures_for_ticket(ticket.category.code) if ticket else []
    if form.validate_on_submit():
        try:
            visit = visits.open_visit(form.visitor_name.data or "", list(dict.fromkeys(form.procedures.data)),
                                      current_user, ticket_id=ticket.id if ticket else None)
        except CaseError as exc:
            show_refusal(form, exc, fallback="procedures")
        else:
            flash(f"受付しました（{len(visit.cases)}件）。", "success")
            return redirect(_after_reception(visit, request.form.get("then") == "card"), 303)
    chosen = set(form.procedures.data or ())
    return _page("counter/reception.html", 422 if form.errors else 200, form=form, first=first,
                 groups=_grouped_procedures(procedures, first), rest_chosen=bool(chosen - {p.code for p in first}),
                 my_counter=counter, ticket=ticket, card_reader=_counter_reader())


def _after_reception(visit: Visit, read_card: bool) -> str:
    """The visit's page, or its one case's; with `read_card` that case's card read, started
    (the pad asks the visitor for the PIN). A read that cannot start is said on the case page."""
    if len(visit.cases) > 1:
        return url_for("counter.visit", visit_id=visit.id)
    case = visit.cases[0]
    if read_card:
        try:
            job = card_reads.start_card_read(case, _counter_reader(), current_user)
        except CaseError as exc:
            flash(exc.message, "error")
        else:
            return url_for("counter.card_read", case_id=case.id, job_id=job.id, _anchor="card-read")
    return url_for("counter.case", case_id=case.id)


@bp.route("/visits/<int:visit_id>")
@roles(*READERS)
def visit(visit_id: int) -> tuple[str, int]:
    v = db.get_or_404(Visit, visit_id)
    lists.list_cases(lists.visit_cases(v), current_user, purpose=f"来庁 {v.id} の案件")
    return _page("counter/visit.html", visit=v, ticket_state=visits.ticket_state(v))


# -- work lists and search -------------------------------------------------------------------------

@bp.route("/")
@roles(*READERS)
def cases() -> tuple[str, int]:
    current = request.args.get("list", "")
    if current not in lists.WORK_LISTS:
        current = lists.default_list(current_user)
    form = CaseSearchForm(request.args)
    form.procedure.choices = choices([("", "すべて"), *((p.code, p.name) for p in catalog.procedure_choices(False))])
    if current == "search" and not form.validate():
        found: list[Case] = []
    else:
        query = lists.work_list(current, current_user, input_from(form, lists.CaseSearch))
        found = lists.list_cases(query, current_user, purpose=lists.WORK_LISTS[current])
    timed = found if current == "search" else []
    return page_or_fragment("counter/cases.html", "counter/_case_rows.html", target="case-rows",
                            cases=found, current=current, lists=lists.WORK_LISTS, form=form, states=list(CaseState),
                            closed_count=len(lists.closed(timed)), average_times=lists.average_time_in_states(timed),
                            list_limit=lists.LIST_LIMIT), 200


@bp.route("/cases/stream")
@roles(*READERS)
def cases_stream() -> Response:
    """The work lists follow every case's state changes (a case arriving in 審査待ち, a case
    returned) and re-fetch their rows on each."""
    return streams.response(streams.StreamSpec(board="counter-cases", channels=(CASES_CHANNEL,),
                                               render_update=lambda: "", update_event="cases"))


# -- the case page ------------------------------------------------------------------------------------

@bp.route("/cases/<int:case_id>/stream")
@roles(*READERS)
def case_stream(case_id: int) -> Response:
    """The case page follows its case: the stream sends the state on each change (the city's
    decision, say), and the page re-fetches itself when it differs from the one it shows
    (static/js/case-live.js). Only the state goes out, so opening it reads no personal data."""
    if not state_of(case_id):
        abort(404)
    return streams.response(streams.StreamSpec(board=f"counter-case-{case_id}", channels=(case_channel(case_id),),
                                               render_update=lambda: state_of(case_id), update_event="case"))


def _check_form(case: Case, formdata: Any = None) -> CheckForm:
    form = CheckForm(formdata=formdata, obj=None if formdata else case)
    form.set_choices(case.procedure.documents)
    return form


def _case_page(case: Case, status: int = 200, *, check_form: CheckForm | None = None,
               input_values: dict[str, Any] | None = None, input_errors: dict[str, str] | None = None,
               problems: list[Any] | None = None, card_result: card_reads.PrefillResult | None = None,
               card_error: str = "", card_status: card.CardReadStatus | None = None) -> tuple[str, int]:
    subject = residents.subject_of(case, f"窓口案件 {case.id} の表示", current_user)
    candidates = card_result.candidates if card_result else residents.candidates_for_page(case, current_user)
    values = input_values or case.form_data or inputs.starting_values(case)
    return _page(
        "counter/case.html", status, case=case, can=actions.offers(case, current_user),
        check_form=check_form or _check_form(case), input_values=values,
        input_errors=input_errors or {}, problems=problems or [],
        subject=subject[0] if subject else None, household=subject[1] if subject else None,
        candidates=candidates, card_result=card_result, card_error=card_error,
        card_status=card_status, card_message=card_reads.card_read_message(card_status) if card_status else "",
        my_counter=desk.my_counter(), spent=lists.time_in_states(case), fee_total=inputs.fee_total(case),
        doc_labels=catalog.identity_document_labels(), sexes=Sex.choices(), relationships=RELATIONSHIPS,
        person_rows=_person_rows(values), needs_subject=residents.may_have_subject(case.procedure),
        related=moves.related_for_case(case, current_user), linked=linked.for_case(case, current_user),
        open_problems=checks.open_problems(case, current_user),
    )


def _person_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    rows = list(values.get("persons") or [])
    return rows + [{} for _ in range(max(PERSON_ROWS - len(rows), 0))]


@bp.route("/cases/<int:case_id>")
@roles(*READERS)
def case(case_id: int) -> tuple[str, int]:
    return _case_page(_case_or_404(case_id))


@bp.route("/cases/<int:case_id>/residents")
@roles(*COUNTER)
def resident_search(case_id: int) -> tuple[str, int]:
    """The registry search that picks the case's subject (an htmx fragment of the case page)."""
    case = _case_or_404(case_id)
    criteria = SearchCriteria(kana=request.args.get("kana", "").strip(), name=request.args.get("name", "").strip(),
                              limit=30)
    searched = not criteria.is_empty()
    people = registry.search(criteria, f"窓口案件 {case.id} の対象者検索", by=current_user) if searched else []
    return _page("counter/_residents.html", case=case, residents=people, searched=searched)


def _resident_id() -> int | None:
    """The resident id a form posted (None when it is missing or not a number)."""
    raw = request.form.get("resident_id", "")
    return int(raw) if raw.isascii() and raw.isdigit() else None


@bp.route("/cases/<int:case_id>/subject", methods=["POST"])
@roles(*COUNTER)
def set_subject(case_id: int) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    resident_id = _resident_id()
    if resident_id is None:
        flash("対象者を選べませんでした。", "error")
        return _case_page(case, 422)
    try:
        person = residents.set_subject(case, resident_id, current_user)
    except Refusal as exc:
        flash(exc.message, "error")
        return _case_page(case, 422)
    flash(f"対象者を{person.name}さんにしました。", "success")
    return redirect(url_for("counter.case", case_id=case.id, _anchor="subject"), 303)


@bp.route("/cases/<int:case_id>/card", methods=["POST"])
@roles(*COUNTER)
def read_card(case_id: int) -> Response | tuple[str, int]:
    """カード読取: the read waits for the visitor's PIN on the visitor-facing pad (the operator's
    page has no PIN field); the answer comes back to the read's own page, which polls it."""
    case = _case_or_404(case_id)
    try:
        job = card_reads.start_card_read(case, _counter_reader(), current_user)
    except CaseError as exc:
        return _case_page(case, 422, card_error=exc.message)
    return redirect(url_for("counter.card_read", case_id=case.id, job_id=job.id, _anchor="card-read"), 303)


def _card_job(case_id: int, job_id: int) -> DeviceJob:
    job = card.read_job(job_id, case_id, current_user)
    if job is None:
        abort(404)
    return job


def _card_read_fragment(case_id: int, status: card.CardReadStatus) -> tuple[str, int]:
    return _page("counter/_card_read.html", case_id=case_id, card_status=status,
                 card_message=card_reads.card_read_message(status))


@bp.route("/cases/<int:case_id>/card/<int:job_id>")
@roles(*COUNTER)
def card_read(case_id: int, job_id: int) -> tuple[str, int]:
    """One card read: the case page showing it, or (polled every second) its state alone.
    Reads only: the result is taken, and a read given up, by the POSTs below."""
    status = card.read_status(_card_job(case_id, job_id))
    if wants_fragment():
        return _card_read_fragment(case_id, status)
    return _case_page(_case_or_404(case_id), card_status=status)


@bp.route("/cases/<int:case_id>/card/<int:job_id>", methods=["POST"])
@roles(*COUNTER)
def take_card_read(case_id: int, job_id: int) -> tuple[str, int]:
    """The read has finished: fill the requester from its card face, which leaves the job row."""
    case = _case_or_404(case_id)
    job = _card_job(case.id, job_id)
    try:
        result = card_reads.apply_card_read(case, job, current_user)
    except CaseError as exc:
        # prefill refuses before it changes the case; what must stay is the job row with the
        # card face wiped (and the read's audit entry), not the card face itself
        keep_changes()
        return _case_page(case, 422, card_error=exc.message)
    return _case_page(case, card_result=result)


@bp.route("/cases/<int:case_id>/card/<int:job_id>/cancel", methods=["POST"])
@roles(*COUNTER)
def give_up_card_read(case_id: int, job_id: int) -> Response | tuple[str, int]:
    """The page stops waiting (its wait ran out, or the operator stopped it): the read is
    cancelled and its sealed PIN wiped, so it never runs later."""
    status = card.give_up(_card_job(case_id, job_id), current_user)
    if wants_fragment():
        return _card_read_fragment(case_id, status)
    return redirect(url_for("counter.card_read", case_id=case_id, job_id=job_id, _anchor="card-read"), 303)


@bp.route("/cases/<int:case_id>/requester-match", methods=["POST"])
@roles(*COUNTER)
def set_requester_match(case_id: int) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    chosen = bool(request.form.get("resident_id"))
    resident_id = _resident_id()
    try:
        if chosen and resident_id is None:
            raise RegistryError("住民記録が見つかりません。")
        residents.set_requester_resident(case, resident_id, current_user)
    except CaseError as exc:
        return _case_page(case, 422, problems=exc.problems)
    except RegistryError:
        flash("住民記録が見つかりません。", "error")
        return _case_page(case, 422)
    flash("請求者を住民記録と照合しました。" if chosen else "照合を解除しました。", "success")
    return redirect(url_for("counter.case", case_id=case.id, _anchor="match"), 303)


@bp.route("/cases/<int:case_id>/checks", methods=["POST"])
@roles(*COUNTER)
def save_checks(case_id: int) -> Response | tuple[str, int]:
    """The checks; with then=confirm they are confirmed, and with then=request_review (or
    finish_input) the procedure's form shown beside them is saved and sent on in the same
    step (issue 15 §1): every check still applies, and a refusal of any part saves nothing."""
    case = _case_or_404(case_id)
    form = _check_form(case, request.form)
    if not form.validate_on_submit():
        return _case_page(case, 422, check_form=form)
    then = request.form.get("then", "")
    raw = _raw_input(case.procedure) if then in SAVED else None
    try:
        checks.save_checks(case, input_from(form, checks.CheckInput), current_user)
        if then == "confirm" or raw is not None:
            checks.confirm_checks(case, current_user)
        if raw is not None:
            _take_input(case, raw, then)
    except (CaseError, InputError) as exc:
        discard()  # the checks may have moved the case on (受付 → 確認) before they were refused
        if raw is None:
            show_refusal(form, exc)
            return _case_page(_case_or_404(case_id), 422, check_form=form, problems=exc.problems)
        errors = field_errors(exc) if isinstance(exc, InputError) else {}
        return _case_page(_case_or_404(case_id), 422, check_form=form, input_values=raw, input_errors=errors,
                          problems=[] if errors else exc.problems)
    if raw is not None:
        flash(f"確認が済みました。{SAVED[then]}", "success")
    else:  # confirm_checks moved the case on, or refused
        flash("確認が済みました。入力へ進みます。" if then == "confirm" else "確認内容を保存しました。", "success")
    return redirect(url_for("counter.case", case_id=case.id), 303)


def _take_input(case: Case, raw: dict[str, Any], then: str) -> None:
    inputs.save_input(case, raw, current_user)
    if then == "request_review":
        inputs.request_review(case, current_user)
    elif then == "finish_input":
        inputs.finish_input(case, current_user)


def _raw_input(procedure: Procedure) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for spec in procedure.fields:
        name = spec["name"]
        if spec["type"] == "members":
            raw[name] = request.form.getlist(name)
        elif spec["type"] == "persons":
            raw[name] = [{key: request.form.get(f"{name}-{i}-{key}", "") for key in (*PERSON_KEYS, "nhi_member")}
                         for i in range(MAX_PERSONS)]
        else:
            raw[name] = request.form.get(name)
    return raw


@bp.route("/cases/<int:case_id>/input", methods=["POST"])
@roles(*COUNTER)
def save_input(case_id: int) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    raw = _raw_input(case.procedure)
    then = request.form.get("then", "")
    try:
        _take_input(case, raw, then)
    except InputError as exc:
        return _case_page(case, 422, input_values=raw, input_errors=field_errors(exc))
    except CaseError as exc:
        return _case_page(case, 422, input_values=raw, problems=exc.problems)
    flash(SAVED.get(then, "入力内容を保存しました。"), "success")
    return redirect(url_for("counter.case", case_id=case.id), 303)


@bp.route("/cases/<int:case_id>/actions/<action>", methods=["POST"])
@roles(*READERS)
def act(case_id: int, action: str) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    if action not in workflow.ACTIONS:
        abort(404)
    try:
        actions.act(case, action, current_user, request.form.get("note", ""))
    except CaseError as exc:
        return _case_page(case, 422, problems=exc.problems)
    flash(actions.done_message(case, action), "success")
    if action in ("approve", "return"):
        return redirect(url_for("counter.cases", list="review"), 303)
    return redirect(url_for("counter.case", case_id=case.id), 303)


def _pdf(data: bytes, filename: str) -> Response:
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f"inline; filename={filename}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/cases/<int:case_id>/certificate.pdf")
@roles(*READERS)
def certificate_pdf(case_id: int) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    try:
        return _pdf(resident_record_copy_pdf(case, current_user), f"juminhyo-{case.id}.pdf")
    except DocumentError as exc:
        keep_changes()  # nothing was made: the case page shown instead keeps its audited read
        return _case_page(case, 409, problems=exc.problems)


@bp.route("/cases/<int:case_id>/guide.pdf")
@roles(*READERS)
def guide_pdf(case_id: int) -> Response | tuple[str, int]:
    case = _case_or_404(case_id)
    if case.procedure.code not in moves.MOVE_CODES:
        abort(404)
    try:
        return _pdf(reception_guide_pdf(case, moves.related_for_case(case, current_user), current_user),
                    f"annai-{case.id}.pdf")
    except DocumentError as exc:
        return _case_page(case, 409, problems=exc.problems)


# -- the catalog ---------------------------------------------------------------------------------------

@bp.route("/catalog")
@roles(*ALL_STAFF)
def catalog_list() -> tuple[str, int]:
    return _page("counter/catalog.html", procedures=catalog.list_procedures(False),
                 may_edit=catalog.can_edit(current_user), fees=register_fees.rates_on(today()))


def _lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


@bp.route("/catalog/<int:procedure_id>", methods=["GET", "POST"])
@roles("admin")
def catalog_edit(procedure_id: int) -> Response | tuple[str, int]:
    procedure = db.get_or_404(Procedure, procedure_id)
    form = ProcedureForm(obj=procedure if request.method == "GET" else None)
    form.fee_code.choices = choices([("", "（なし）"), *register_fees.fee_choices()])
    if request.method == "GET":
        form.documents.data = "\n".join(procedure.documents)
        form.handover.data = "\n".join(procedure.handover)
    if form.validate_on_submit():
        edit = input_from(form, catalog.ProcedureEdit, documents=_lines(form.documents.data),
                          handover=_lines(form.handover.data))
        try:
            catalog.update_procedure(procedure, edit, current_user)
        except catalog.CatalogError as exc:
            show_refusal(form, exc)
        else:
            flash(f"「{procedure.name}」を保存しました。", "success")
            return redirect(url_for("counter.catalog_list"), 303)
    return _page("counter/catalog_edit.html", 422 if form.errors else 200, form=form, procedure=procedure)


from app.counter import inquiry_views  # noqa: E402,F401
