"""Deficiency letters and acknowledgements (受付済み通知) of one-stop applications, by post or
e-mail, in bulk through the background-work engine (issue 17 §2; 004 §7(4)オ, §7(11)イ).

Choosing what to send adds one notice row per application (queued) and one task whose only
parameter is the list of notice ids (no name, address or number in a task's arguments). The
task renders the letters of the post notices into one PDF for the print room (the task's file)
and sends the e-mails through app/core/mail.py in one SMTP conversation; a refused mailbox marks
its notice failed with the server's reason, a server that cannot be reached fails the task (it is
re-run; notices already sent are not sent again). No letter or e-mail carries the individual
number, not even masked.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core import mail, pdf
from app.core.dates import now, today
from app.core.services import get_municipality
from app.extensions import db
from app.furusato.onestop.applications import OneStopError, deadline
from app.furusato.onestop.models import (
    ApplicationState,
    NoticeKind,
    NoticeMethod,
    NoticeState,
    OneStopApplication,
    OneStopNotice,
)
from app.tasks import files
from app.tasks import services as tasks

TASK_KIND = "furusato.onestop_notices"
WANTS = {NoticeKind.deficiency: ApplicationState.deficient, NoticeKind.acknowledgement: ApplicationState.accepted}


def _city() -> str:
    city = get_municipality()
    return city.name if city else ""


def text_of(a: OneStopApplication, kind: NoticeKind) -> tuple[str, str]:
    """(subject, body) of the notice; the letter prints the same text."""
    city = _city()
    if kind == NoticeKind.deficiency:
        reason = a.deficiency.label if a.deficiency else ""
        note = f"\n（{a.deficiency_note}）" if a.deficiency_note else ""
        return (f"【{city}】ワンストップ特例申請書の不備のお知らせ",
                f"{a.name} 様\n\n{a.tax_year}年の寄附についてお送りいただいた寄附金税額控除に係る申告特例申請書"
                f"（{a.received_on:%Y年%-m月%-d日}受付）を確認したところ、次の不備がありました。\n\n"
                f"・{reason}{note}\n\n"
                f"お手数ですが、不足の書類等を{deadline(a.tax_year):%Y年%-m月%-d日}（必着）までにお送りください。"
                "期限までに補正がない場合、申告の特例は適用されず、確定申告が必要になります。\n\n"
                f"{city} ふるさと納税担当")
    return (f"【{city}】ワンストップ特例申請書の受付済み通知",
            f"{a.name} 様\n\n{a.tax_year}年の寄附についての寄附金税額控除に係る申告特例申請書を"
            f"{a.received_on:%Y年%-m月%-d日}に受け付けました。\n"
            f"この申請の内容は、{a.tax_year + 1}年1月31日までにお住まいの市区町村へ通知します。\n"
            f"住所・氏名などに変更があった場合は、{deadline(a.tax_year):%Y年%-m月%-d日}までに"
            "申告特例申請事項変更届出書をお送りください。\n\n"
            f"{city} ふるさと納税担当")


def letters_pdf(items: list[tuple[OneStopApplication, NoticeKind]]) -> bytes:
    """One page per letter: the address block for a window envelope, then the text."""
    st = pdf.styles()
    story: list[Any] = []
    for i, (a, kind) in enumerate(items):
        subject, body = text_of(a, kind)
        if i:
            story.append(PageBreak())
        story += [Paragraph(f"〒{a.postal_code[:3]}-{a.postal_code[3:]}", st["body"]),
                  Paragraph(pdf.text(a.address), st["body"]), Paragraph(f"{pdf.text(a.name)} 様", st["body"]),
                  Spacer(1, 12 * mm), Paragraph(pdf.document_date(today()), st["body"]),
                  Paragraph(pdf.text(subject.split("】", 1)[-1]), st["title"]), Spacer(1, 4 * mm)]
        story += [Paragraph(pdf.text(line) or "&nbsp;", st["body"]) for line in body.splitlines()[2:]]
    return pdf.build(story, "ワンストップ特例申請の通知", _city())


def queue(applications: list[OneStopApplication], kind: str, method: str, *, by: User) -> tasks.Task:
    """Notice rows and the task that sends them (after the request's commit)."""
    notice_kind, how = NoticeKind(kind), NoticeMethod(method)
    wrong = [a for a in applications if a.state != WANTS[notice_kind]]
    if not applications:
        raise OneStopError("送付する申請を選んでください。")
    if wrong:
        raise OneStopError(f"{notice_kind.label}を送れない申請があります："
                           + "、".join(f"#{a.id}（{a.state.label}）" for a in wrong))
    if how == NoticeMethod.email and (missing := [a for a in applications if not a.email]):
        raise OneStopError("メールアドレスのない申請があります：" + "、".join(f"#{a.id}" for a in missing), "method")
    notices = [OneStopNotice(application_id=a.id, kind=notice_kind, method=how) for a in applications]
    db.session.add_all(notices)
    db.session.flush()
    task = tasks.submit(TASK_KIND, {"notices": [n.id for n in notices]}, by=by,
                        title=f"{notice_kind.label}（{how.label}）{len(notices)}件")
    for n in notices:
        n.task_id = task.id
    audit.record("create", "furusato_onestop", "list", f"{notice_kind.label}（{how.label}）{len(notices)}件を送付へ",
                 by=by)
    return task


def _mark_sent(a: OneStopApplication, n: OneStopNotice) -> None:
    n.state, n.sent_at, n.error = NoticeState.sent, now(), ""
    if n.kind == NoticeKind.acknowledgement:
        a.acknowledged_at, a.ack_method = n.sent_at, n.method


@tasks.kind(TASK_KIND, title="ワンストップ特例の通知", programme="furusato")
def send_notices(ctx: tasks.TaskContext) -> dict[str, Any]:
    ids = [int(i) for i in ctx.params["notices"]]
    notices = list(db.session.scalars(select(OneStopNotice).where(OneStopNotice.id.in_(ids),
                                                                  OneStopNotice.state != NoticeState.sent)
                                      .order_by(OneStopNotice.id)))
    apps = {a.id: a for a in db.session.scalars(select(OneStopApplication).where(
        OneStopApplication.id.in_([n.application_id for n in notices])))}
    total, done = len(notices), 0
    ctx.progress(0, total, phase="通知を作成しています", unit="件")
    posts = [n for n in notices if n.method == NoticeMethod.post]
    if posts:
        with files.writing(ctx.task_id, ".pdf") as out:
            out.write(letters_pdf([(apps[n.application_id], n.kind) for n in posts]))
        for n in posts:
            _mark_sent(apps[n.application_id], n)
        done += len(posts)
        ctx.progress(done, total, phase="郵送分の印刷用PDFを作成しました")
    emails = [n for n in notices if n.method == NoticeMethod.email]
    results = mail.send(mail.Mail(apps[n.application_id].email, *text_of(apps[n.application_id], n.kind))
                        for n in emails)
    failed = 0
    for n, result in zip(emails, results, strict=True):
        if result.ok:
            _mark_sent(apps[n.application_id], n)
        else:
            n.state, n.error, failed = NoticeState.failed, result.error or "", failed + 1
    done += len(emails)
    ctx.progress(done, total, phase="完了")
    audit.record("update", "furusato_onestop", "list", f"通知の送付：{done - failed}件、失敗{failed}件", by=None)
    db.session.commit()
    summary = f"{done - failed}件を送付しました" + (f"（送信失敗{failed}件）" if failed else "")
    result: dict[str, Any] = {"summary": summary,
                              "link": "/furusato/onestop", "link_label": "ワンストップ特例申請の一覧へ"}
    if posts:
        result["download"] = f"/furusato/onestop/notices/{ctx.task_id}.pdf"  # the task page links it
        result["download_label"] = "郵送分の通知書（PDF、印刷して発送）"
    return result
