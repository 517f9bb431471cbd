"""The pre-delivery e-mail (issue 18 §3, 004 §7(6)エ 「寄附者に対して配送に関する事前メールを送信すること。」):
one e-mail per shipped line with a tracking number and an address, from an editable template,
sent in bulk by a task through SMTP (app/core/mail.py). A mailbox the server refuses is a
bounce recorded on the line (不達, with the server's answer); a line is mailed once, so the task
run again sends only what is left. The task's parameters hold no address and no name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.auth import audit
from app.auth.models import User
from app.core import mail
from app.core.dates import now
from app.core.refusal import Problem
from app.extensions import db
from app.furusato.services import FurusatoError
from app.furusato.shipping.models import DeliveryMailTemplate, LineState, MailState, ShipmentLine
from app.tasks import services as tasks

TASK_KIND = "furusato.delivery_mail"
CHUNK = 50
PLACEHOLDERS = ("name", "gift", "tracking", "ship_on")
DEFAULT_SUBJECT = "【ふるさと納税】返礼品発送のお知らせ"
DEFAULT_BODY = ("{name} 様\n\nこのたびはふるさと納税によるご寄附をありがとうございました。\n"
                "お申し込みの返礼品「{gift}」を{ship_on}に発送いたしました。\n"
                "お問い合わせ伝票番号：{tracking}（ヤマト運輸）\n\n"
                "お届けまで今しばらくお待ちください。\n山彦市 ふるさと納税事務局\n")


def template() -> DeliveryMailTemplate:
    found = db.session.scalar(select(DeliveryMailTemplate).limit(1))
    return found or DeliveryMailTemplate(subject=DEFAULT_SUBJECT, body=DEFAULT_BODY)


def save_template(subject: str, body: str, by: User | None) -> DeliveryMailTemplate:
    problems: list[Problem] = []
    if not subject.strip():
        problems.append(Problem("subject", "件名を入力してください。"))
    if not body.strip():
        problems.append(Problem("body", "本文を入力してください。"))
    try:
        body.format(**dict.fromkeys(PLACEHOLDERS, ""))
    except (KeyError, IndexError, ValueError):
        problems.append(Problem("body", "本文に使える差し込みは " + "、".join(f"{{{p}}}" for p in PLACEHOLDERS)
                                + " です（波かっこはこの形でだけ使えます）。"))
    if problems:
        raise FurusatoError.of(problems)
    row = db.session.scalar(select(DeliveryMailTemplate).limit(1)) or DeliveryMailTemplate()
    row.subject, row.body, row.updated_at = subject.strip(), body, now()
    row.updated_by = by.username if by is not None else "(system)"
    db.session.add(row)
    db.session.flush()
    audit.record("update", "furusato_delivery_mail_template", row.id, "発送連絡メールのひな形", by=by)
    return row


def _waiting() -> Any:
    return select(ShipmentLine).where(ShipmentLine.state == LineState.shipped, ShipmentLine.email != "",
                                      ShipmentLine.mail_state == "")


def waiting_count() -> int:
    return int(db.session.scalar(select(func.count()).select_from(_waiting().subquery())) or 0)


def bounced(limit: int = 100) -> list[ShipmentLine]:
    return list(db.session.scalars(select(ShipmentLine).where(ShipmentLine.mail_state == MailState.bounced)
                                   .order_by(ShipmentLine.id.desc()).limit(limit)))


def queue(by: User | None) -> Any:
    """Submit the bulk send; refused when no line is waiting for its e-mail."""
    if not waiting_count():
        raise FurusatoError("発送連絡メールを送る明細（発送済で未送信、メールアドレスあり）がありません。")
    return tasks.submit(TASK_KIND, {}, by=by, title="発送連絡メールの一括送信")


def _mail_of(line: ShipmentLine, tpl: DeliveryMailTemplate) -> mail.Mail:
    values = {"name": line.name, "gift": line.gift.name, "tracking": line.tracking_number,
              "ship_on": f"{line.shipped_on:%Y-%m-%d}" if line.shipped_on else ""}
    return mail.Mail(to=line.email, subject=tpl.subject.format(**values), body=tpl.body.format(**values))


def _record(chunk: list[ShipmentLine], results: list[mail.SendResult]) -> tuple[int, int]:
    sent = failed = 0
    for line, result in zip(chunk, results, strict=False):
        line.mailed_at = now()
        if result.ok:
            line.mail_state, line.mail_error = MailState.sent, ""
            sent += 1
        else:
            line.mail_state, line.mail_error = MailState.bounced, (result.error or "")[:500]
            failed += 1
    return sent, failed


def send_waiting(ctx: tasks.TaskContext | None = None) -> dict[str, Any]:
    """Send every waiting e-mail in chunks, committing each chunk's outcome (a batch job that
    owns its transaction): a crash or a lost server leaves no line mailed twice."""
    tpl = template()
    total, sent, failed = waiting_count(), 0, 0
    while True:
        chunk = list(db.session.scalars(_waiting().order_by(ShipmentLine.id).limit(CHUNK)))
        if not chunk:
            break
        try:
            results = mail.send([_mail_of(line, tpl) for line in chunk])
        except mail.MailFailed as exc:
            done = _record(chunk[:len(exc.sent)], exc.sent)
            db.session.commit()
            raise tasks.TaskError(f"{exc.reason}（送信済{sent + done[0]}件、不達{failed + done[1]}件まで"
                                  "記録しました。もう一度送ると残りだけを送ります）") from exc
        done = _record(chunk, results)
        sent, failed = sent + done[0], failed + done[1]
        audit.record("export", "furusato_shipment_line", "list", f"発送連絡メール 送信{done[0]}件・不達{done[1]}件",
                     by=None, username="(task)")
        db.session.commit()
        if ctx is not None:
            ctx.progress(sent + failed, total, phase="送信中", unit="通")
    return {"summary": f"発送連絡メールを{sent}通送りました（不達{failed}件）。", "sent": sent, "bounced": failed,
            "link": "/furusato/shipping", "link_label": "出荷の一覧を開く"}


@tasks.kind(TASK_KIND, title="発送連絡メールの一括送信", programme="furusato")
def delivery_mail_task(ctx: tasks.TaskContext) -> dict[str, Any]:
    return send_waiting(ctx)
