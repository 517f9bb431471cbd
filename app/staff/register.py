"""The staff register of a programme: who handles its personal data, in which post, from when
to when, with their confidentiality pledge (004 特記事項 §3, §6(2); 000 別紙 §3, §6(2)).

- The first 作業責任者 is entered and so reported (§3(1)); a change of 作業責任者 goes through
  a request the city approves first (§3(3), see leads.py), so the present one is never ended
  or replaced here.
- A 作業従事者 who starts or ends is reported to the city (§3(4)): a WorkerChange row that the
  city's staff see and mark as seen.
- A login account tied to entries that have all ended cannot log in, and its sessions end
  (login.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select

from app.auth import audit
from app.auth.models import Role, User
from app.core.dates import now, today
from app.core.refusal import Problem
from app.extensions import db
from app.staff import uploads
from app.staff.login import end_sessions_if_ended
from app.staff.models import Post, StaffEntry, WorkerChange, WorkerChangeKind
from app.staff.programmes import Programme, reaches
from app.staff.refusals import StaffError
from app.web.paging import Page, paged


def post_label(post: Post, programme: str) -> str:
    """The post as the programme's contract names it: 管理責任者・業務従事者 for the counter
    (000 別紙 §3), 作業責任者・作業従事者 for the donation programme (004 特記事項 §3)."""
    if programme == Programme.counter:
        return "管理責任者" if post is Post.lead else "業務従事者"
    return post.label


def may_read(user: User, programme: str) -> bool:
    """The contractor's supervisor and the city's staff of the programme read its register;
    an administrator reads every register."""
    return reaches(user, programme) and user.role in (Role.supervisor, Role.city_staff, Role.admin)


def may_edit(user: User, programme: str) -> bool:
    return reaches(user, programme) and user.role == Role.supervisor


def may_end(user: User, entry: StaffEntry) -> bool:
    """Whether the page offers to end the entry: a 作業従事者 not yet ended."""
    return may_edit(user, entry.programme) and entry.post is Post.worker and entry.end_on is None


def require_edit(user: User, programme: str) -> None:
    if not may_edit(user, programme):
        raise StaffError("この名簿を変更できるのは、この業務の統括責任者だけです。")


# --- reading ---------------------------------------------------------------------------------

def get_entry(entry_id: int) -> StaffEntry | None:
    return db.session.get(StaffEntry, entry_id)


def _register_query(programme: str, with_ended: bool, on: date | None) -> Select[tuple[StaffEntry]]:
    query = select(StaffEntry).where(StaffEntry.programme == programme)
    if not with_ended:
        query = query.where(or_(StaffEntry.end_on.is_(None), StaffEntry.end_on >= (on or today())))
    return query.order_by(StaffEntry.post, StaffEntry.start_on, StaffEntry.id)


def entries(programme: str, page: int = 1, *, with_ended: bool = False, on: date | None = None) -> Page[StaffEntry]:
    """The register: 作業責任者 first, then by start; ended entries only when asked."""
    return paged(_register_query(programme, with_ended, on), page)


def roster(programme: str, on: date | None = None) -> list[StaffEntry]:
    """Every entry not ended, for the written report (which is not paged)."""
    return list(db.session.scalars(_register_query(programme, False, on)))


def current_lead(programme: str, on: date | None = None) -> StaffEntry | None:
    day = on or today()
    return db.session.scalar(
        select(StaffEntry).where(StaffEntry.programme == programme, StaffEntry.post == Post.lead,
                                 StaffEntry.start_on <= day,
                                 or_(StaffEntry.end_on.is_(None), StaffEntry.end_on >= day))
        .order_by(StaffEntry.start_on.desc()).limit(1))


def record_read(entry: StaffEntry, *, by: User) -> None:
    """An entry's page opened: a read of personal data, audited."""
    audit.record("read", "staff_entry", entry.id, entry.name, by=by, programme=entry.programme)


def entries_of(user: User) -> list[StaffEntry]:
    """The entries tied to an account: what an operator sees of the register (their own)."""
    return list(db.session.scalars(select(StaffEntry).where(StaffEntry.user_id == user.id)
                                   .order_by(StaffEntry.start_on.desc())))


def worker_changes(programme: str, page: int = 1) -> Page[WorkerChange]:
    return paged(select(WorkerChange).where(WorkerChange.programme == programme)
                 .order_by(WorkerChange.reported_at.desc(), WorkerChange.id.desc()), page)


def recent_changes(programme: str, days: int = 90) -> list[WorkerChange]:
    """The changes reported in the last `days` days, oldest first: the written report."""
    since = now() - timedelta(days=days)
    return list(db.session.scalars(select(WorkerChange).where(WorkerChange.programme == programme,
                                                              WorkerChange.reported_at >= since)
                                   .order_by(WorkerChange.reported_at, WorkerChange.id)))


def unseen_changes(programme: str) -> int:
    return len(db.session.scalars(select(WorkerChange.id).where(
        WorkerChange.programme == programme, WorkerChange.seen_at.is_(None))).all())


# --- changing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryInput:
    name: str
    duty: str
    start_on: date | None
    user_id: int | None = None
    post: str = Post.worker


def user_problems(programme: str, user_id: int | None, entry: StaffEntry | None) -> list[Problem]:
    if not user_id:
        return []
    user = db.session.get(User, user_id)
    if user is None:
        return [Problem("user_id", "選んだアカウントが見つかりません。")]
    others = [e for e in entries_of(user) if e is not entry and e.programme == programme and not e.ended()]
    if others:
        return [Problem("user_id", f"このアカウントは名簿の「{others[0].name}」に結び付いています。")]
    return []


def _entry_problems(programme: str, data: EntryInput, entry: StaffEntry | None) -> list[Problem]:
    problems = []
    if not data.name.strip():
        problems.append(Problem("name", "氏名を入力してください。"))
    if data.start_on is None:
        problems.append(Problem("start_on", "従事開始日を入力してください。"))
    if not Post.has(data.post):
        problems.append(Problem("post", "区分を選んでください。"))
    return problems + user_problems(programme, data.user_id, entry)


def add_entry(programme: str, data: EntryInput, *, by: User) -> StaffEntry:
    """Enter a person in the register. The first 作業責任者 is entered here (004 特記事項
    §3(1)); while one is in post, another comes only through a change the city approves
    (§3(3)). A new 作業従事者 is reported to the city (§3(4))."""
    require_edit(by, programme)
    problems = _entry_problems(programme, data, None)
    if data.post == Post.lead and current_lead(programme, data.start_on) is not None:
        problems.append(Problem("post", "作業責任者の変更は、事前に市の承認が必要です。"
                                        "「作業責任者の変更」から申請してください。"))
    if problems:
        raise StaffError.of(problems)
    assert data.start_on is not None
    entry = StaffEntry(programme=programme, post=Post(data.post), name=data.name.strip(), duty=data.duty.strip(),
                       start_on=data.start_on, user_id=data.user_id or None)
    db.session.add(entry)
    db.session.flush()
    audit.record("create", "staff_entry", entry.id, f"{entry.post.label} {entry.name} {entry.start_on}〜", by=by,
                 programme=entry.programme)
    if entry.post is Post.worker:
        _report(entry, WorkerChangeKind.joined, entry.start_on, by=by)
    return entry


def update_entry(entry: StaffEntry, data: EntryInput, *, by: User) -> None:
    """Correct an entry's name, duty, start or account (its post does not change: a new
    作業責任者 is a change the city approves)."""
    require_edit(by, entry.programme)
    problems = _entry_problems(entry.programme, EntryInput(data.name, data.duty, data.start_on, data.user_id,
                                                           entry.post), entry)
    if problems:
        raise StaffError.of(problems)
    entry.name, entry.duty, entry.user_id = data.name.strip(), data.duty.strip(), data.user_id or None
    entry.start_on = data.start_on or entry.start_on
    audit.record("update", "staff_entry", entry.id, f"{entry.name} 内容の修正", by=by, programme=entry.programme)


def end_entry(entry: StaffEntry, end_on: date | None, *, by: User) -> None:
    """A 作業従事者 leaves: the last day is recorded and reported to the city (004 特記事項
    §3(4)). A 作業責任者 is not ended here: the city approves the successor first (§3(3))."""
    require_edit(by, entry.programme)
    if entry.post is Post.lead:
        raise StaffError("作業責任者は、市の承認を受けた変更申請によってのみ交代します。", "end_on")
    if end_on is None:
        raise StaffError("従事終了日を入力してください。", "end_on")
    if end_on < entry.start_on:
        raise StaffError("従事終了日は従事開始日より後の日にしてください。", "end_on")
    if entry.end_on is not None:
        raise StaffError("この従事者の従事終了はすでに記録されています。", "end_on")
    entry.end_on = end_on
    audit.record("update", "staff_entry", entry.id, f"{entry.name} 従事終了 {end_on}", by=by, programme=entry.programme)
    _report(entry, WorkerChangeKind.left, end_on, by=by)
    end_sessions_if_ended(entry.user)  # an end recorded after the day: the account stops now


def _report(entry: StaffEntry, kind: WorkerChangeKind, on: date, *, by: User) -> None:
    db.session.add(WorkerChange(programme=entry.programme, entry_id=entry.id, kind=kind, effective_on=on,
                                reported_by_id=by.id))


def mark_seen(change: WorkerChange, *, by: User) -> None:
    """The city's staff have read a reported change of 作業従事者."""
    if not (by.role == Role.city_staff and reaches(by, change.programme)):
        raise StaffError("変更報告を確認できるのは、この業務の担当の市職員だけです。")
    if change.seen_at is None:
        change.seen_at, change.seen_by_id = now(), by.id
        audit.record("approve", "staff_worker_change", change.id, f"作業従事者の変更報告を確認 {change.entry.name}",
                     by=by, programme=change.programme)


def get_change(change_id: int) -> WorkerChange | None:
    return db.session.get(WorkerChange, change_id)


def record_pledge(entry: StaffEntry, signed_on: date | None, upload: uploads.Upload, *, by: User) -> None:
    """The signed confidentiality pledge (誓約書, 004 特記事項 §6(2), 000 別紙 §6(2)): its date
    and the signed paper, scanned as a PDF or an image."""
    require_edit(by, entry.programme)
    if signed_on is None:
        raise StaffError("誓約書の提出日を入力してください。", "signed_on")
    if signed_on > today():
        raise StaffError("誓約書の提出日に未来の日付は入力できません。", "signed_on")
    document = uploads.store(entry.programme, upload, "document", by=by)
    entry.pledge_signed_on, entry.pledge_document_id = signed_on, document.id
    audit.record("update", "staff_entry", entry.id, f"{entry.name} 誓約書 {signed_on}", by=by,
                 programme=entry.programme)


def pledge_document(entry: StaffEntry, *, by: User) -> tuple[bytes, str, str]:
    """The pledge's paper for one who may read it, audited as a read of personal data."""
    document = entry.pledge_document
    if document is None:
        raise StaffError("誓約書の書面は登録されていません。")
    audit.record("read", "staff_entry", entry.id, f"{entry.name} 誓約書の書面", by=by, programme=entry.programme)
    return document.content, document.content_type, document.filename


def accounts(programme: str) -> list[User]:
    """Accounts a register entry may be tied to: the programme's active staff."""
    users = db.session.scalars(select(User).where(User.active.is_(True), User.role != Role.admin)
                               .order_by(User.username)).all()
    return [u for u in users if reaches(u, programme) and u.role != Role.city_staff]
