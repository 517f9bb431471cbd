"""The bereavement corner's pages (000 §6(15)⑨): the reservations, the city's slots, booking by
phone or at the counter, the reservation with its derived procedures and the guide, the visit
(counter cases and handovers), the handover lists per department, and the public booking page.
The rules are in app/bereavement/services.py."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import public, roles, serves
from app.auth.models import Programme
from app.bereavement import derive, documents, services
from app.bereavement.forms import (
    AnswersForm,
    BookingForm,
    EmptyForm,
    HandoverForm,
    SlotForm,
    answers_of,
    with_questions,
)
from app.bereavement.models import Reservation, ReservationChannel
from app.core.dates import today
from app.staff.pages import send
from app.web import transaction
from app.web.forms import choices, input_from, page_number, show_refusal, submitted
from app.web.nav_item import NavItem

bp = serves(Blueprint("bereavement", __name__, url_prefix="/bereavement"), Programme.counter)
NAV = (NavItem("おくやみコーナー", "bereavement.reservations_page", "窓口業務"),)
COUNTER = ("operator", "supervisor")
READERS = ("operator", "supervisor", "city_staff")
CITY = ("city_staff",)


@bp.route("/")
@roles(*READERS)
def reservations_page() -> str:
    first = today()
    last = first + timedelta(days=60)
    return render_template("bereavement/reservations.html", first=first, last=last,
                           result=services.reservations(first, last, page_number(), by=current_user),
                           departments=services.departments_with_handovers(),
                           may_book=services.may_hold_visit(current_user),
                           may_set_slots=services.may_set_slots(current_user))


# -- slots ---------------------------------------------------------------------------------------

def _slots_page(form: SlotForm, status: int = 200) -> tuple[str, int]:
    first = today()
    return render_template("bereavement/slots.html", form=form, may_set=services.may_set_slots(current_user),
                           slots=services.slots_between(first, first + timedelta(days=60))), status


@bp.route("/slots")
@roles(*READERS)
def slots_page() -> tuple[str, int]:
    return _slots_page(SlotForm(formdata=None))


@bp.route("/slots", methods=["POST"])
@roles(*CITY)
def add_slots() -> BaseResponse | tuple[str, int]:
    form = SlotForm()
    if done := submitted(form, lambda: services.add_slots(input_from(form, services.SlotInput), by=current_user)):
        slots = done.value
        flash(f"{slots[0].day:%Y-%m-%d}に予約枠を{len(slots)}件設定しました。", "success")
        return redirect(url_for("bereavement.slots_page"), 303)
    return _slots_page(form, 422)


# -- booking -----------------------------------------------------------------------------------

def _booking_form() -> BookingForm:
    form = with_questions(BookingForm)()
    form.slot_id.choices = choices([("", "（選んでください）"),
                                    *((s.id, s.label) for s in services.free_slots(today()))])
    return form


def _booking_input(form: BookingForm) -> services.BookingInput:
    return input_from(form, services.BookingInput, answers=answers_of(form))


def _book(form: BookingForm, channel: ReservationChannel, by: object, address: str = "") -> Reservation:
    return services.book(_booking_input(form), channel, by=by, address=address)  # type: ignore[arg-type]


def _validated(form: BookingForm) -> bool:
    """The form's own checks; when they fail, the service's problems of the other fields are
    shown too (every problem at once)."""
    if form.validate_on_submit():
        return True
    if form.is_submitted():
        problems = [p for p in services.booking_problems(_booking_input(form)) if not form[p.field].errors]
        if problems:
            show_refusal(form, services.BereavementError.of(problems))
    return False


@bp.route("/new", methods=["GET", "POST"])
@roles(*COUNTER)
def new_reservation() -> BaseResponse | tuple[str, int]:
    """By phone or at the counter: the staff take the family's booking."""
    form = _booking_form()
    channel = request.form.get("channel", ReservationChannel.phone)
    if _validated(form):
        try:
            reservation = _book(form, ReservationChannel(channel) if ReservationChannel.has(channel)
                                else ReservationChannel.phone, current_user)
        except services.BereavementError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            flash(f"予約を受け付けました（予約番号 {reservation.number}）。", "success")
            return redirect(url_for("bereavement.reservation", reservation_id=reservation.id), 303)
    return render_template("bereavement/new.html", form=form, questions=derive.questions(),
                           channels=[c for c in ReservationChannel if c is not ReservationChannel.web],
                           channel=channel), 422 if form.errors else 200


@bp.route("/book", methods=["GET", "POST"])
@public
def public_booking() -> tuple[str, int]:
    """The public page (deny by default: on the public list with care). It shows no personal
    data back: neither what the registry holds nor whom it found; only the number and the
    time booked. One address books at most BEREAVEMENT_BOOKINGS_PER_HOUR (like the kiosk)."""
    form = _booking_form()
    if _validated(form):
        try:
            reservation = _book(form, ReservationChannel.web, None, request.remote_addr or "")
        except services.BookingBusy as exc:
            transaction.discard()
            return render_template("bereavement/public.html", form=form, questions=derive.questions(),
                                   busy=exc.message), 429
        except services.BereavementError as exc:
            transaction.refused_shown_again()
            show_refusal(form, exc)
        else:
            return render_template("bereavement/public_done.html", number=reservation.number,
                                   slot=reservation.slot.label), 200
    return render_template("bereavement/public.html", form=form, questions=derive.questions()), \
        422 if form.errors else 200


# -- one reservation ---------------------------------------------------------------------------

def _reservation(reservation_id: int) -> Reservation:
    reservation = services.read_reservation(reservation_id, by=current_user)
    if reservation is None:
        abort(404)
    return reservation


def _reservation_page(reservation: Reservation, status: int = 200, **forms: object) -> tuple[str, int]:
    person = services.deceased_record(reservation, by=current_user)
    to_ask = [q["key"] for q in derive.still_to_ask(person)]
    answers = forms.get("answers") or with_questions(AnswersForm, to_ask)(
        formdata=None, data={f"q_{k}": reservation.answers.get(k, False) for k in to_ask})
    return render_template(
        "bereavement/reservation.html", reservation=reservation, person=person, answers=answers,
        known=derive.facts(person, reservation.answers), questions=derive.questions(),
        handover=forms.get("handover") or HandoverForm(formdata=None), handover_item=forms.get("handover_item"),
        button=EmptyForm(), may_act=services.may_hold_visit(current_user), can_open_case=services.can_open_case,
        source_of=derive.rule_source), status


@bp.route("/<int:reservation_id>")
@roles(*READERS)
def reservation(reservation_id: int) -> tuple[str, int]:
    return _reservation_page(_reservation(reservation_id))


def _done(reservation: Reservation, message: str) -> BaseResponse:
    flash(message, "success")
    return redirect(url_for("bereavement.reservation", reservation_id=reservation.id), 303)


def _refused(reservation: Reservation, exc: services.BereavementError) -> BaseResponse:
    transaction.discard()
    flash(exc.message, "error")
    return redirect(url_for("bereavement.reservation", reservation_id=reservation.id), 303)


@bp.route("/<int:reservation_id>/answers", methods=["POST"])
@roles(*COUNTER)
def update_answers(reservation_id: int) -> BaseResponse | tuple[str, int]:
    found = _reservation(reservation_id)
    person = services.deceased_record(found, by=current_user)
    form = with_questions(AnswersForm, [q["key"] for q in derive.still_to_ask(person)])()
    if not form.validate_on_submit():
        return _reservation_page(found, 422, answers=form)
    try:
        services.update_answers(found, {**found.answers, **answers_of(form)}, by=current_user)
    except services.BereavementError as exc:
        return _refused(found, exc)
    return _done(found, "聞き取りの内容を保存し、手続の一覧を作り直しました。")


@bp.route("/<int:reservation_id>/guide.pdf")
@roles(*READERS)
def guide_pdf(reservation_id: int) -> BaseResponse:
    found = _reservation(reservation_id)
    return send(documents.guide_pdf(found, by=current_user), "application/pdf", f"okuyami-guide-{found.number}.pdf")


@bp.route("/<int:reservation_id>/take-home.pdf")
@roles(*READERS)
def take_home_pdf(reservation_id: int) -> BaseResponse:
    found = _reservation(reservation_id)
    return send(documents.take_home_pdf(found, by=current_user), "application/pdf",
                f"okuyami-sheet-{found.number}.pdf")


def _step(reservation_id: int, step: str) -> BaseResponse:
    found = _reservation(reservation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    messages = {"visit": "来庁対応を始めました。窓口の受付を作成しました。", "finish": "来庁対応を完了しました。",
                "cancel": "予約を取り消しました。"}
    try:
        {"visit": services.start_visit, "finish": services.finish_visit, "cancel": services.cancel}[step](
            found, by=current_user)
    except services.BereavementError as exc:
        return _refused(found, exc)
    return _done(found, messages[step])


@bp.route("/<int:reservation_id>/visit", methods=["POST"])
@roles(*COUNTER)
def start_visit(reservation_id: int) -> BaseResponse:
    return _step(reservation_id, "visit")


@bp.route("/<int:reservation_id>/finish", methods=["POST"])
@roles(*COUNTER)
def finish_visit(reservation_id: int) -> BaseResponse:
    return _step(reservation_id, "finish")


@bp.route("/<int:reservation_id>/cancel", methods=["POST"])
@roles(*COUNTER)
def cancel(reservation_id: int) -> BaseResponse:
    return _step(reservation_id, "cancel")


@bp.route("/<int:reservation_id>/items/<int:item_id>/case", methods=["POST"])
@roles(*COUNTER)
def open_case(reservation_id: int, item_id: int) -> BaseResponse:
    found = _reservation(reservation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        case = services.open_case(found, item_id, by=current_user)
    except services.BereavementError as exc:
        return _refused(found, exc)
    flash(f"「{case.procedure.name}」の案件を受け付けました（案件 第{case.id}号）。", "success")
    return redirect(url_for("bereavement.reservation", reservation_id=found.id), 303)


@bp.route("/<int:reservation_id>/items/<int:item_id>/handover", methods=["POST"])
@roles(*COUNTER)
def hand_over(reservation_id: int, item_id: int) -> BaseResponse | tuple[str, int]:
    found = _reservation(reservation_id)
    form = HandoverForm()
    if done := submitted(form, lambda: services.hand_over(found, item_id, form.explained.data or "", by=current_user),
                         fallback="explained"):
        item = done.value
        return _done(found, f"「{item.name}」を{item.department}へ引き継ぎました。")
    return _reservation_page(found, 422, handover=form, handover_item=item_id)


# -- handover lists ------------------------------------------------------------------------------

@bp.route("/handovers")
@roles(*READERS)
def handovers() -> str:
    departments = services.departments_with_handovers()
    department = request.args.get("department", "") or (departments[0][0] if departments else "")
    return render_template("bereavement/handovers.html", departments=departments, department=department,
                           place=derive.place_of(department), query={"department": department},
                           result=services.handovers(department, page_number(), by=current_user))
