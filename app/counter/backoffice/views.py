"""The pages of the back-office ledgers: 旅券, 住居番号の通知, 進達 and 不着保険証. The rules are in
passports.py, house_numbers.py, forwardings.py and cards.py; this module loads, calls and shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import roles, serves
from app.auth.models import Programme, User
from app.core.dates import today
from app.counter.backoffice import cards, forwardings, house_numbers, house_pdf, passports
from app.counter.backoffice.common import BackofficeError
from app.counter.backoffice.forms import (
    CallForm,
    CardForm,
    EndForm,
    ForwardingAnswerForm,
    ForwardingForm,
    HandedForm,
    NoticeForm,
    PassportForm,
    StepForm,
)
from app.web import transaction
from app.web.forms import input_from, page_number, submitted
from app.web.nav_item import NavItem

bp = serves(Blueprint("backoffice", __name__, url_prefix="/counter/backoffice"), Programme.counter)
NAV = (
    NavItem("旅券の受付・交付", "backoffice.passports_page", "窓口業務"),
    NavItem("住居番号の通知", "backoffice.house_numbers_page", "窓口業務"),
    NavItem("進達", "backoffice.forwardings_page", "窓口業務"),
    NavItem("不着保険証", "backoffice.cards_page", "窓口業務"),
)
COUNTER = ("operator", "supervisor")
READERS = ("operator", "supervisor", "city_staff")
STEPS: dict[str, tuple[Callable[..., None], str]] = {
    "send": (passports.send, "県への送付を記録しました。"),
    "arrive": (passports.arrive, "旅券の到着を記録しました。"),
    "hand_out": (passports.hand_out,
                 "旅券を交付しました（一般旅券受領書を受け取り、本人確認書類を返却してください）。"),
    "return": (passports.return_to_prefecture, "未交付失効の旅券を県へ返納しました。"),
}


def _by() -> User:
    return current_user  # type: ignore[return-value]


def _done(form: FlaskForm, act: Callable[[], object], message: str, target: str) -> BaseResponse | None:
    """Run a step when the form is valid: a redirect once done, None (the page again, 422, with
    every problem on its field and nothing changed) when refused."""
    if submitted(form, act):
        flash(message, "success")
        return redirect(target, 303)
    transaction.refused_shown_again()
    return None


def _found(item: Any) -> Any:
    if item is None:
        abort(404)
    return item


# --- 旅券 ------------------------------------------------------------------------------------

def _passports(form: PassportForm, status: int = 200) -> tuple[str, int]:
    day, which = today(), request.args.get("list", "")
    result = (passports.uncollected_page(day, page_number(), by=_by()) if which == "uncollected"
              else passports.ledger_page(page_number(), by=_by()))
    return render_template("counter/backoffice/passports.html", form=form, result=result, which=which, today=day,
                           state=passports.state_label, lapses_on=passports.lapses_on,
                           query={"list": which} if which else {}), status


@bp.route("/passports")
@roles(*READERS)
def passports_page() -> tuple[str, int]:
    return _passports(PassportForm(formdata=None, received_on=today()))


@bp.route("/passports", methods=["POST"])
@roles(*COUNTER)
def receive_passport() -> BaseResponse | tuple[str, int]:
    form = PassportForm()
    done = _done(form, lambda: passports.receive(input_from(form, passports.ApplicationInput), today=today(),
                                                 by=_by()),
                 "旅券の申請を受け付けました。", url_for("backoffice.passports_page"))
    return done or _passports(form, 422)


def _passport(item: passports.PassportApplication, form: StepForm, status: int = 200) -> tuple[str, int]:
    day = today()
    return render_template("counter/backoffice/passport.html", item=item, form=form, today=day,
                           state=passports.state_label(item, day), past=passports.past_six_months(item, day),
                           lapses_on=passports.lapses_on(item.issued_on) if item.issued_on else None), status


@bp.route("/passports/<int:passport_id>")
@roles(*READERS)
def passport(passport_id: int) -> tuple[str, int]:
    return _passport(_found(passports.read(passport_id, by=_by())), StepForm(formdata=None, day=today()))


@bp.route("/passports/<int:passport_id>/<step>", methods=["POST"])
@roles(*COUNTER)
def passport_step(passport_id: int, step: str) -> BaseResponse | tuple[str, int]:
    if step not in STEPS:
        abort(404)
    item, form = _found(passports.read(passport_id, by=_by())), StepForm()
    act, message = STEPS[step]
    done = _done(form, lambda: act(item, input_from(form, passports.StepInput), today=today(), by=_by()), message,
                 url_for("backoffice.passport", passport_id=passport_id))
    return done or _passport(_found(passports.read(passport_id, by=_by())), form, 422)


# --- 住居番号の通知 ----------------------------------------------------------------------------

def _house_numbers(form: NoticeForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/backoffice/house_numbers.html", form=form,
                           result=house_numbers.ledger_page(page_number(), by=_by()), query={}), status


@bp.route("/house-numbers")
@roles(*READERS)
def house_numbers_page() -> tuple[str, int]:
    return _house_numbers(NoticeForm(formdata=None, applied_on=today(), issued_on=today()))


@bp.route("/house-numbers", methods=["POST"])
@roles(*COUNTER)
def issue_notice() -> BaseResponse | tuple[str, int]:
    form = NoticeForm()
    done = _done(form, lambda: house_numbers.issue(input_from(form, house_numbers.NoticeInput), today=today(),
                                                   by=_by()),
                 "住居番号を通知しました。通知書（PDF）を印刷してください。", url_for("backoffice.house_numbers_page"))
    return done or _house_numbers(form, 422)


def _house_number(item: Any, form: HandedForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/backoffice/house_number.html", item=item, form=form), status


@bp.route("/house-numbers/<int:notice_id>")
@roles(*READERS)
def house_number(notice_id: int) -> tuple[str, int]:
    return _house_number(_found(house_numbers.read(notice_id, by=_by())), HandedForm(formdata=None, handed_on=today()))


@bp.route("/house-numbers/<int:notice_id>/handed", methods=["POST"])
@roles(*COUNTER)
def hand_notice(notice_id: int) -> BaseResponse | tuple[str, int]:
    item, form = _found(house_numbers.read(notice_id, by=_by())), HandedForm()
    done = _done(form, lambda: house_numbers.hand_over(item, form.handed_on.data, today=today(), by=_by()),
                 "通知書の引渡しを記録しました。", url_for("backoffice.house_number", notice_id=notice_id))
    return done or _house_number(_found(house_numbers.read(notice_id, by=_by())), form, 422)


@bp.route("/house-numbers/<int:notice_id>/notice.pdf")
@roles(*READERS)
def notice_pdf(notice_id: int) -> Response:
    item = _found(house_numbers.read(notice_id, by=_by()))
    try:
        data = house_pdf.notice_pdf(item)
    except BackofficeError as exc:
        abort(409, exc.message)
    name = f"house-number-{item.notice_number}.pdf"
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})


# --- 進達 ------------------------------------------------------------------------------------

def _forwardings(form: ForwardingForm, status: int = 200) -> tuple[str, int]:
    day, which = today(), request.args.get("list", "")
    result = (forwardings.overdue_page(day, page_number(), by=_by()) if which == "overdue"
              else forwardings.ledger_page(page_number(), by=_by()))
    return render_template("counter/backoffice/forwardings.html", form=form, result=result, which=which, today=day,
                           overdue=forwardings.is_overdue, query={"list": which} if which else {}), status


@bp.route("/forwardings")
@roles(*READERS)
def forwardings_page() -> tuple[str, int]:
    day = today()
    return _forwardings(ForwardingForm(formdata=None, sent_on=day, due_on=forwardings.default_due(day)))


@bp.route("/forwardings", methods=["POST"])
@roles(*COUNTER)
def forward() -> BaseResponse | tuple[str, int]:
    form = ForwardingForm()
    done = _done(form, lambda: forwardings.forward(input_from(form, forwardings.ForwardingInput), today=today(),
                                                   by=_by()),
                 "進達を記録しました。", url_for("backoffice.forwardings_page"))
    return done or _forwardings(form, 422)


def _forwarding(item: Any, form: ForwardingAnswerForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/backoffice/forwarding.html", item=item, form=form,
                           overdue=forwardings.is_overdue(item, today())), status


@bp.route("/forwardings/<int:forwarding_id>")
@roles(*READERS)
def forwarding(forwarding_id: int) -> tuple[str, int]:
    return _forwarding(_found(forwardings.read(forwarding_id, by=_by())),
                       ForwardingAnswerForm(formdata=None, answered_on=today()))


@bp.route("/forwardings/<int:forwarding_id>/answer", methods=["POST"])
@roles(*READERS)
def answer_forwarding(forwarding_id: int) -> BaseResponse | tuple[str, int]:
    item, form = _found(forwardings.read(forwarding_id, by=_by())), ForwardingAnswerForm()
    done = _done(form, lambda: forwardings.record_answer(item, input_from(form, forwardings.AnswerInput),
                                                         today=today(), by=_by()),
                 "回答を記録しました。", url_for("backoffice.forwarding", forwarding_id=forwarding_id))
    return done or _forwarding(_found(forwardings.read(forwarding_id, by=_by())), form, 422)


# --- 不着保険証 --------------------------------------------------------------------------------

def _cards(form: CardForm, status: int = 200) -> tuple[str, int]:
    day, which = today(), request.args.get("list", "")
    result = cards.ledger_page(page_number(), by=_by()) if which == "all" else cards.open_page(page_number(), by=_by())
    return render_template("counter/backoffice/cards.html", form=form, result=result, which=which, today=day,
                           age=cards.age, band=cards.age_band, query={"list": which} if which else {}), status


@bp.route("/cards")
@roles(*READERS)
def cards_page() -> tuple[str, int]:
    return _cards(CardForm(formdata=None, returned_on=today()))


@bp.route("/cards", methods=["POST"])
@roles(*COUNTER)
def receive_card() -> BaseResponse | tuple[str, int]:
    form = CardForm()
    done = _done(form, lambda: cards.receive(input_from(form, cards.CardInput), today=today(), by=_by()),
                 "不着保険証を受け付けました。", url_for("backoffice.cards_page"))
    return done or _cards(form, 422)


def _card(item: Any, status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    day = today()
    shown = {"call_form": CallForm(formdata=None, called_on=day), "end_form": EndForm(formdata=None, day=day)} | forms
    return render_template("counter/backoffice/card.html", item=item, today=day, age=cards.age(item, day),
                           **shown), status


@bp.route("/cards/<int:card_id>")
@roles(*READERS)
def card(card_id: int) -> tuple[str, int]:
    return _card(_found(cards.read(card_id, by=_by())))


@bp.route("/cards/<int:card_id>/address-check", methods=["POST"])
@roles(*COUNTER)
def check_card_address(card_id: int) -> BaseResponse | tuple[str, int]:
    item, form = _found(cards.read(card_id, by=_by())), FlaskForm()
    done = _done(form, lambda: cards.check_address(item, today=today(), by=_by()), "住民記録と住所を照合しました。",
                 url_for("backoffice.card", card_id=card_id))
    return done or _card(_found(cards.read(card_id, by=_by())), 422, end_form=_with_errors(form))


@bp.route("/cards/<int:card_id>/call", methods=["POST"])
@roles(*COUNTER)
def record_card_call(card_id: int) -> BaseResponse | tuple[str, int]:
    item, form = _found(cards.read(card_id, by=_by())), CallForm()
    done = _done(form, lambda: cards.record_call(item, input_from(form, cards.CallInput), today=today(), by=_by()),
                 "連絡の結果を記録しました。", url_for("backoffice.card", card_id=card_id))
    return done or _card(_found(cards.read(card_id, by=_by())), 422, call_form=form)


@bp.route("/cards/<int:card_id>/<how>", methods=["POST"])
@roles(*COUNTER)
def end_card(card_id: int, how: str) -> BaseResponse | tuple[str, int]:
    act = {"handed": cards.hand_over, "destroyed": cards.destroy}.get(how)
    if act is None:
        abort(404)
    item, form = _found(cards.read(card_id, by=_by())), EndForm()
    done = _done(form, lambda: act(item, input_from(form, cards.EndInput), today=today(), by=_by()),
                 "引渡しを記録しました。" if how == "handed" else "廃棄を記録しました。",
                 url_for("backoffice.card", card_id=card_id))
    return done or _card(_found(cards.read(card_id, by=_by())), 422, end_form=form)


def _with_errors(form: FlaskForm) -> EndForm:
    """The address check has no fields: its refusal shows above the closing form."""
    shown = EndForm(formdata=None, day=today())
    shown.form_errors = list(form.form_errors)
    return shown
