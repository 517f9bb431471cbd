"""Mail-out batches (封入・発送, 000 §6(11)①シ, §6(13)①コ, §6(6), issue 21): the letters of a
monthly list, or the October survey's 調査票 to the registry's households, made as one PDF in
the background with a live progress bar; then the posting date, and the letters the post brings
back or that are answered (the survey's replies).

Who gets a letter is fixed when the batch is asked for (its items); the names and addresses are
read from the registry when the PDF is made (audited), so a letter carries the address of the
day it is printed. `make` is idempotent: a batch made already is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core import services as core_services
from app.core.dates import today
from app.core.refusal import Problem, Refusal
from app.counter.monthly import lists
from app.counter.monthly.letters import Letter, render
from app.counter.monthly.models import (
    LetterTemplate,
    MailOut,
    MailOutItem,
    MailOutState,
    MonthlyList,
    MonthlyListKind,
)
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import HouseholdRecord
from app.tasks import files
from app.tasks import services as tasks
from app.tasks.models import Task
from app.web.paging import Page, paged

KIND = "counter.mailout"
SUBJECT = "monthly_mailout"
TEMPLATE_OF_LIST = {
    MonthlyListKind.elderly_recipient: LetterTemplate.elderly_recipient,
    MonthlyListKind.late_elderly_next_month: LetterTemplate.late_elderly,
    MonthlyListKind.account_mailing: LetterTemplate.account_check,
}


class MailOutError(Refusal):
    pass


@dataclass(frozen=True)
class SurveyInput:
    """The October survey (000 §6(6) 住民基本台帳定期実態調査): a district, the reply date."""

    address: str = ""
    reply_by: date | None = None


# --- asking for a batch -------------------------------------------------------------------------

def _log(action: str, mailout: MailOut, what: str, *, by: User | None) -> None:
    audit.record(action, SUBJECT, mailout.id, f"封入・発送#{mailout.id}{what}", by=by,
                 username=None if by else "(system)")


def _submit(mailout: MailOut, *, by: User | None) -> Task:
    task = tasks.submit(KIND, {"mailout_id": mailout.id}, by=by, subject_type=SUBJECT, subject_id=mailout.id,
                        title=f"封入・発送#{mailout.id} {mailout.title}")
    mailout.task_id = task.id
    return task


def from_list(found: MonthlyList, *, by: User) -> MailOut:
    """The letters of a monthly list: one to each resident on it."""
    items = [i for i in found.items if i.resident_id is not None]
    if not items:
        raise MailOutError("この一覧には送付する相手がいません。")
    template = TEMPLATE_OF_LIST[found.kind]
    mailout = MailOut(template=template, title=f"{lists.label(found)}：{template.label}", list_id=found.id,
                      created_by_id=by.id)
    db.session.add(mailout)
    db.session.flush()
    for i in items:
        db.session.add(MailOutItem(mailout_id=mailout.id, resident_id=i.resident_id, day=i.due_on))
    _submit(mailout, by=by)
    _log("create", mailout, f"を作成（{mailout.title}、{len(items)}通）", by=by)
    return mailout


def survey(data: SurveyInput, *, by: User) -> MailOut:
    """The October survey's mailing: one 調査票 to each household with a resident."""
    problems = []
    if data.reply_by is None:
        problems.append(Problem("reply_by", "返送期限を入力してください。"))
    elif data.reply_by <= today():
        problems.append(Problem("reply_by", "返送期限は明日以降の日にしてください。"))
    if problems:
        raise MailOutError.of(problems)
    found = registry.households(data.address, "定期実態調査の対象世帯", by=by)
    if not found:
        raise MailOutError(f"「{data.address}」に該当する世帯はありません。", "address")
    title = f"{today().year}年 住民基本台帳定期実態調査（{data.address or '全域'}）"
    mailout = MailOut(template=LetterTemplate.registry_survey, title=title, reply_by=data.reply_by,
                      created_by_id=by.id)
    db.session.add(mailout)
    db.session.flush()
    for household in found:
        db.session.add(MailOutItem(mailout_id=mailout.id, household_id=household.id, day=data.reply_by))
    _submit(mailout, by=by)
    _log("create", mailout, f"を作成（{title}、{len(found)}世帯）", by=by)
    return mailout


# --- making it (the task) -----------------------------------------------------------------------

def _household_letter(h: HouseholdRecord, day: date) -> Letter:
    head = h.head
    members = tuple(f"{m.name}（{m.relationship}、{m.birth_date:%Y-%m-%d}生）" for m in h.active_members)
    return Letter(h.postal_code, h.address, f"{head.name if head else ''} 世帯主", day, members)


def letters_of(mailout: MailOut, *, by: User | None) -> list[Letter]:
    """The letters in the order of the items (postal order for the survey), from the registry."""
    items = list(mailout.items)
    if mailout.template is LetterTemplate.registry_survey:
        found = registry.read_households([i.household_id for i in items if i.household_id],
                                         f"封入・発送#{mailout.id}の印刷", by=by)
        return [_household_letter(found[i.household_id], i.day or today()) for i in items
                if i.household_id in found]
    people = registry.read_people([i.resident_id for i in items if i.resident_id],
                                  f"封入・発送#{mailout.id}の印刷", by=by)
    letters = [Letter(p.postal_code, p.address, p.name, i.day or today()) for i in items
               if (p := people.get(i.resident_id or 0)) is not None]
    return sorted(letters, key=lambda letter: letter.postal_code)


def file_name(mailout_id: int) -> str:
    return f"mailout-{mailout_id}"


def make(mailout_id: int, *, progress: Callable[[int, int], None] | None = None) -> MailOut:
    """Render the batch's PDF and mark it printable, in one commit; a batch made already is left."""
    mailout = db.session.get_one(MailOut, mailout_id, populate_existing=True)
    if mailout.state is not MailOutState.making:
        return mailout
    by = db.session.get(User, mailout.created_by_id) if mailout.created_by_id else None
    letters = letters_of(mailout, by=by)
    if progress is not None:
        progress(0, len(letters))
    municipality = core_services.get_municipality()
    with files.writing(file_name(mailout.id), ".pdf") as out:
        pages = render(mailout.template, letters, out, city=municipality.name if municipality else "",
                       sent_on=today(), progress=(lambda done: progress(done, len(letters))) if progress else None)
    mailout.letters, mailout.pages, mailout.state = len(letters), pages, MailOutState.printable
    _log("update", mailout, f"のPDFを作成（{len(letters)}通、{pages}ページ）", by=by)
    db.session.commit()
    return mailout


@tasks.kind(KIND, title="封入・発送の印刷", programme="counter", cancellable=True)
def make_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    mailout_id = int(ctx.params["mailout_id"])
    ctx.progress(0, None, phase="宛先を読み込んでいます", unit="通")
    mailout = make(mailout_id, progress=lambda done, total: ctx.progress(done, total, phase="PDFを作成しています"))
    ctx.progress(mailout.letters, mailout.letters, phase="作成しました")
    return {"summary": f"{mailout.letters:,}通、{mailout.pages:,}ページのPDFを作成しました。",
            "link": f"/counter/monthly/mailouts/{mailout.id}", "link_label": "封入・発送を開く",
            "letters": mailout.letters, "pages": mailout.pages}


# --- after printing: posted, returns, replies ---------------------------------------------------

def get(mailout_id: int) -> MailOut | None:
    return db.session.get(MailOut, mailout_id)


def task_of(mailout: MailOut) -> Task | None:
    return db.session.get(Task, mailout.task_id) if mailout.task_id else None


def confirm_posted(mailout: MailOut, posted_on: date | None, *, by: User) -> None:
    """発送しました, on the day given (the posting date)."""
    problems = []
    if mailout.state is not MailOutState.printable:
        problems.append(Problem("", f"この封入・発送は{mailout.state.label}のため、発送済にできません。"))
    if posted_on is None:
        problems.append(Problem("posted_on", "発送日を入力してください。"))
    elif posted_on > today():
        problems.append(Problem("posted_on", "発送日に先の日付は入力できません。"))
    if problems:
        raise MailOutError.of(problems)
    mailout.state, mailout.posted_on, mailout.posted_by_id = MailOutState.posted, posted_on, by.id
    _log("update", mailout, f"を発送済に（{posted_on}、{mailout.letters}通）", by=by)
    db.session.flush()


def _item(mailout: MailOut, item_id: int) -> MailOutItem:
    item = db.session.get(MailOutItem, item_id)
    if item is None or item.mailout_id != mailout.id:
        raise MailOutError("この封入・発送の宛先から選んでください。", "item")
    if mailout.state is not MailOutState.posted:
        raise MailOutError("発送済にしてから記録してください。")
    return item


def record_return(mailout: MailOut, item_id: int, returned_on: date | None, note: str, *, by: User) -> None:
    """返戻: the post brought the letter back (宛所不明 …)."""
    item = _item(mailout, item_id)
    if returned_on is None or (mailout.posted_on and returned_on < mailout.posted_on) or returned_on > today():
        raise MailOutError("戻った日は発送日から今日までの日にしてください。", "returned_on")
    item.returned_on, item.return_note = returned_on, note.strip()[:500]
    _log("update", mailout, f" 宛先#{item.id}の返戻を記録（{returned_on}）", by=by)
    db.session.flush()


def record_reply(mailout: MailOut, item_id: int, replied_on: date | None, note: str, *, by: User) -> None:
    """The survey's 調査票 came back answered."""
    item = _item(mailout, item_id)
    if mailout.template is not LetterTemplate.registry_survey:
        raise MailOutError("回答を記録できるのは定期実態調査だけです。")
    if replied_on is None or (mailout.posted_on and replied_on < mailout.posted_on) or replied_on > today():
        raise MailOutError("回答の届いた日は発送日から今日までの日にしてください。", "replied_on")
    item.replied_on, item.reply_note = replied_on, note.strip()[:500]
    _log("update", mailout, f" 宛先#{item.id}の回答を記録（{replied_on}）", by=by)
    db.session.flush()


def download(mailout: MailOut, *, by: User) -> tuple[Path, str]:
    path = files.existing(file_name(mailout.id), ".pdf") if mailout.state is not MailOutState.making else None
    if path is None:
        raise MailOutError("PDFはまだできていないか、保存期間を過ぎて削除されました。")
    _log("export", mailout, f"のPDFをダウンロード（{mailout.letters}通）", by=by)
    return path, f"mailout-{mailout.id}.pdf"


@dataclass(frozen=True)
class Counts:
    items: int
    returned: int
    replied: int


def counts(mailout: MailOut) -> Counts:
    row = db.session.execute(select(func.count(MailOutItem.id), func.count(MailOutItem.returned_on),
                                    func.count(MailOutItem.replied_on))
                             .where(MailOutItem.mailout_id == mailout.id)).one()
    return Counts(int(row[0]), int(row[1]), int(row[2]))


@dataclass(frozen=True)
class ItemRow:
    item: MailOutItem
    name: str
    address: str


def items_page(mailout: MailOut, page: int, *, by: User) -> Page[ItemRow]:
    found = paged(select(MailOutItem).where(MailOutItem.mailout_id == mailout.id).order_by(MailOutItem.id), page)
    items: list[MailOutItem] = found.rows
    purpose = f"封入・発送#{mailout.id}の宛先の表示"
    people = registry.read_people([i.resident_id for i in items if i.resident_id], purpose, by=by)
    homes = registry.read_households([i.household_id for i in items if i.household_id], purpose, by=by)
    rows = []
    for i in items:
        if i.resident_id and (p := people.get(i.resident_id)):
            rows.append(ItemRow(i, p.name, p.address))
        elif i.household_id and (h := homes.get(i.household_id)):
            rows.append(ItemRow(i, f"{h.head.name if h.head else ''} 世帯", h.address))
        else:
            rows.append(ItemRow(i, "", ""))
    return Page(rows, found.count, found.page)


def batches(page: int = 1) -> Page[MailOut]:
    return paged(select(MailOut).order_by(MailOut.id.desc()), page)


def waiting_to_post() -> int:
    return int(db.session.scalar(select(func.count(MailOut.id)).where(MailOut.state == MailOutState.printable)) or 0)
