"""The monthly back office's pages (issue 21): the month's lists and their checks, the mail-outs
with their progress, PDF, posting, returns and replies, and the handover queue that city staff
answer. The rules are in lists.py, mailouts.py and handovers.py of this package."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from app.auth.access import may_use, roles, serves
from app.auth.models import Programme, User
from app.core.dates import today
from app.counter.monthly import handovers, lists, mailouts, subsidy
from app.counter.monthly.forms import (
    AnswerForm,
    CheckForm,
    DrawForm,
    HandoverForm,
    PostedForm,
    ReplyForm,
    ReturnForm,
    SubsidyCheckForm,
    SurveyForm,
)
from app.counter.monthly.models import Handover, LetterTemplate, MailOut, MonthlyList, MonthlyListKind
from app.tasks.services import progress_context
from app.web import transaction
from app.web.forms import input_from, page_number, show_refusal, submitted
from app.web.nav_item import NavItem

bp = serves(Blueprint("monthly", __name__, url_prefix="/counter/monthly"), Programme.counter)
NAV = (
    NavItem("月次チェック・封入発送", "monthly.index", "窓口業務"),
    NavItem("医療費給付の一次チェック", "monthly.subsidy_page", "窓口業務"),
    NavItem("市職員への引継ぎ", "monthly.handovers_page", "窓口業務"),
)
COUNTER = ("operator", "supervisor")
READERS = ("operator", "supervisor", "city_staff")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


def _by() -> User:
    return current_user  # type: ignore[return-value]


def _month(text: str | None) -> date | None:
    match = _MONTH.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2200:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


# --- the month's lists --------------------------------------------------------------------------

def _index(form: DrawForm, month: date, status: int = 200) -> tuple[str, int]:
    return render_template("counter/monthly/index.html", form=form, month=month, lines=lists.lines_for(month),
                           spec=lists.SPEC), status


@bp.route("/")
@roles(*READERS)
def index() -> tuple[str, int]:
    month = _month(request.args.get("month")) or today().replace(day=1)
    form = DrawForm(month=f"{month:%Y-%m}")
    return _index(form, month)


@bp.route("/lists", methods=["POST"])
@roles(*COUNTER)
def draw() -> BaseResponse | tuple[str, int]:
    form = DrawForm()
    month = _month(form.month.data)
    if form.validate_on_submit():
        if month is None:
            form.month.errors = [*form.month.errors, "対象月は 2026-12 のように年と月で入力してください。"]
        else:
            try:
                found, added = lists.draw(MonthlyListKind(form.kind.data), month, by=_by())
            except lists.MonthlyListError as exc:
                show_refusal(form, exc)
            else:
                flash(f"{lists.label(found)}を作成しました（追加{added}件）。", "success")
                return redirect(url_for("monthly.list_page", list_id=found.id), 303)
    transaction.refused_shown_again()
    return _index(form, month or today().replace(day=1), 422)


def _list_or_404(list_id: int) -> MonthlyList:
    found = lists.get(list_id)
    if found is None:
        abort(404)
    return found


@bp.route("/lists/<int:list_id>")
@roles(*READERS)
def list_page(list_id: int) -> str:
    found = _list_or_404(list_id)
    return render_template("counter/monthly/list.html", found=found, label=lists.label(found),
                           spec=lists.SPEC[found.kind], result=lists.items_page(found, page_number(), by=_by()),
                           unchecked=lists.unchecked(found), form=CheckForm(), query={"list_id": found.id})


def _back_to_list(found: MonthlyList, step: object) -> BaseResponse:
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        message = step()  # type: ignore[operator]
    except (lists.MonthlyListError, mailouts.MailOutError) as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        if isinstance(message, MailOut):
            flash(f"封入・発送#{message.id}の作成を始めました。", "success")
            return redirect(url_for("monthly.mailout_page", mailout_id=message.id), 303)
        flash(message, "success")
    return redirect(url_for("monthly.list_page", list_id=found.id, page=request.args.get("page", 1)), 303)


@bp.route("/lists/<int:list_id>/items/<int:item_id>/check", methods=["POST"])
@roles(*COUNTER)
def check_item(list_id: int, item_id: int) -> BaseResponse:
    found = _list_or_404(list_id)
    item = next((i for i in found.items if i.id == item_id), None)
    if item is None:
        abort(404)
    form = CheckForm()

    def step() -> str:
        lists.check(item, form.note.data or "", by=_by())
        return "確認済にしました。"

    return _back_to_list(found, step)


@bp.route("/lists/<int:list_id>/done", methods=["POST"])
@roles(*COUNTER)
def finish_list(list_id: int) -> BaseResponse:
    found = _list_or_404(list_id)

    def step() -> str:
        lists.finish(found, by=_by())
        return f"{lists.label(found)}を完了にしました。"

    return _back_to_list(found, step)


@bp.route("/lists/<int:list_id>/mailout", methods=["POST"])
@roles(*COUNTER)
def list_mailout(list_id: int) -> BaseResponse:
    found = _list_or_404(list_id)
    return _back_to_list(found, lambda: mailouts.from_list(found, by=_by()))


# --- mail-outs ----------------------------------------------------------------------------------

def _mailouts(form: SurveyForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/monthly/mailouts.html", form=form, result=mailouts.batches(page_number()),
                           query={}), status


@bp.route("/mailouts")
@roles(*READERS)
def mailouts_page() -> tuple[str, int]:
    return _mailouts(SurveyForm())


@bp.route("/mailouts/survey", methods=["POST"])
@roles(*COUNTER)
def start_survey() -> BaseResponse | tuple[str, int]:
    form = SurveyForm()
    if done := submitted(form, lambda: mailouts.survey(input_from(form, mailouts.SurveyInput), by=_by())):
        made = done.value
        flash(f"封入・発送#{made.id}の作成を始めました。", "success")
        return redirect(url_for("monthly.mailout_page", mailout_id=made.id), 303)
    transaction.refused_shown_again()
    return _mailouts(form, 422)


def _mailout_or_404(mailout_id: int) -> MailOut:
    found = mailouts.get(mailout_id)
    if found is None:
        abort(404)
    return found


def _mailout(found: MailOut, posted: PostedForm | None = None, status: int = 200) -> tuple[str, int]:
    task = mailouts.task_of(found)
    return render_template(
        "counter/monthly/mailout.html", mailout=found, counts=mailouts.counts(found),
        result=mailouts.items_page(found, page_number(), by=_by()), query={"mailout_id": found.id},
        posted_form=posted or PostedForm(posted_on=today()), return_form=ReturnForm(returned_on=today()),
        reply_form=ReplyForm(replied_on=today()), survey=found.template is LetterTemplate.registry_survey,
        **(progress_context(task) if task is not None else {})), status


@bp.route("/mailouts/<int:mailout_id>")
@roles(*READERS)
def mailout_page(mailout_id: int) -> tuple[str, int]:
    return _mailout(_mailout_or_404(mailout_id))


@bp.route("/mailouts/<int:mailout_id>/letters.pdf")
@roles(*COUNTER)
def mailout_pdf(mailout_id: int) -> BaseResponse:
    """The print-ready PDF (names and addresses: its download is audited)."""
    found = _mailout_or_404(mailout_id)
    try:
        path, name = mailouts.download(found, by=_by())
    except mailouts.MailOutError as exc:
        abort(404, exc.message)
    response = send_file(path, mimetype="application/pdf", download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/mailouts/<int:mailout_id>/posted", methods=["POST"])
@roles(*COUNTER)
def mailout_posted(mailout_id: int) -> BaseResponse | tuple[str, int]:
    found = _mailout_or_404(mailout_id)
    form = PostedForm()
    if submitted(form, lambda: mailouts.confirm_posted(found, form.posted_on.data, by=_by())):
        flash(f"{found.letters}通を発送済にしました。", "success")
        return redirect(url_for("monthly.mailout_page", mailout_id=found.id), 303)
    transaction.refused_shown_again()
    return _mailout(found, form, 422)


def _item_step(mailout_id: int, item_id: int, replied: bool) -> BaseResponse:
    found = _mailout_or_404(mailout_id)
    form = ReplyForm() if replied else ReturnForm()
    if not form.validate_on_submit():
        flash("日付は 2026-12-01 のように入力してください。", "error")
        return redirect(url_for("monthly.mailout_page", mailout_id=found.id), 303)
    try:
        if replied:
            mailouts.record_reply(found, item_id, form.replied_on.data, form.note.data or "", by=_by())
        else:
            mailouts.record_return(found, item_id, form.returned_on.data, form.note.data or "", by=_by())
    except mailouts.MailOutError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash("回答を記録しました。" if replied else "返戻を記録しました。", "success")
    return redirect(url_for("monthly.mailout_page", mailout_id=found.id, page=request.args.get("page", 1)), 303)


@bp.route("/mailouts/<int:mailout_id>/items/<int:item_id>/returned", methods=["POST"])
@roles(*COUNTER)
def item_returned(mailout_id: int, item_id: int) -> BaseResponse:
    return _item_step(mailout_id, item_id, replied=False)


@bp.route("/mailouts/<int:mailout_id>/items/<int:item_id>/replied", methods=["POST"])
@roles(*COUNTER)
def item_replied(mailout_id: int, item_id: int) -> BaseResponse:
    return _item_step(mailout_id, item_id, replied=True)


# --- handovers ----------------------------------------------------------------------------------

def _handovers(form: HandoverForm, status: int = 200) -> tuple[str, int]:
    which = "answered" if request.args.get("list") == "answered" else "open"
    return render_template("counter/monthly/handovers.html", form=form, which=which,
                           result=handovers.page_of(which, page_number()), query={"list": which}), status


@bp.route("/handovers")
@roles(*READERS)
def handovers_page() -> tuple[str, int]:
    return _handovers(HandoverForm())


@bp.route("/handovers", methods=["POST"])
@roles(*COUNTER)
def hand_over() -> BaseResponse | tuple[str, int]:
    form = HandoverForm()
    if done := submitted(form, lambda: handovers.hand_over(input_from(form, handovers.HandoverInput), by=_by())):
        made = done.value
        flash(f"引継ぎ#{made.id}を市職員に引き継ぎました。", "success")
        return redirect(url_for("monthly.handovers_page"), 303)
    transaction.refused_shown_again()
    return _handovers(form, 422)


def _handover_or_404(handover_id: int) -> Handover:
    found = handovers.get(handover_id)
    if found is None:
        abort(404)
    return found


def _handover(found: Handover, form: AnswerForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/monthly/handover.html", handover=found, form=form,
                           may_answer=found.answered_at is None and may_use("monthly.answer_handover", _by())), status


@bp.route("/handovers/<int:handover_id>")
@roles(*READERS)
def handover_page(handover_id: int) -> tuple[str, int]:
    return _handover(_handover_or_404(handover_id), AnswerForm())


@bp.route("/handovers/<int:handover_id>/answer", methods=["POST"])
@roles("city_staff")
def answer_handover(handover_id: int) -> BaseResponse | tuple[str, int]:
    found = _handover_or_404(handover_id)
    form = AnswerForm()
    if submitted(form, lambda: handovers.answer(found, input_from(form, handovers.AnswerInput), by=_by())):
        flash("回答を記録しました。", "success")
        return redirect(url_for("monthly.handovers_page"), 303)
    transaction.refused_shown_again()
    return _handover(found, form, 422)


# --- medical-subsidy first checks ---------------------------------------------------------------

def _subsidy_form() -> SubsidyCheckForm:
    form = SubsidyCheckForm(received_on=today())
    form.present.choices = [(f"{kind}:{i.code}", i.label) for kind, rule in subsidy.rules().items()
                            for i in rule.items]
    return form


def _subsidy(form: SubsidyCheckForm, status: int = 200) -> tuple[str, int]:
    return render_template("counter/monthly/subsidy.html", form=form, rules=subsidy.rules(),
                           result=subsidy.page_of(page_number()), query={}), status


@bp.route("/subsidy")
@roles(*READERS)
def subsidy_page() -> tuple[str, int]:
    return _subsidy(_subsidy_form())


@bp.route("/subsidy", methods=["POST"])
@roles(*COUNTER)
def subsidy_check() -> BaseResponse | tuple[str, int]:
    form = _subsidy_form()
    if form.validate_on_submit():
        kind = form.kind.data or ""
        present = [value.split(":", 1)[1] for value in form.present.data or [] if value.startswith(f"{kind}:")]
        try:
            made = subsidy.check(input_from(form, subsidy.CheckInput, present=present), by=_by())
        except subsidy.SubsidyError as exc:
            show_refusal(form, exc)
        else:
            flash(f"一次チェックを記録しました（不足{len(made.missing)}件）。",
                  "error" if made.missing else "success")
            return redirect(url_for("monthly.subsidy_page"), 303)
    transaction.refused_shown_again()
    return _subsidy(form, 422)


@bp.route("/subsidy/<int:check_id>/send", methods=["POST"])
@roles(*COUNTER)
def subsidy_send(check_id: int) -> BaseResponse:
    found = subsidy.get(check_id)
    if found is None:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        subsidy.send_to_city(found, by=_by())
    except subsidy.SubsidyError as exc:
        transaction.discard()
        flash(exc.message, "error")
    else:
        flash("市へ送付しました（引継ぎに載りました）。", "success")
    return redirect(url_for("monthly.subsidy_page"), 303)
