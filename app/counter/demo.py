"""Demo data of the counter: the procedure catalog, a few inquiries and a complaint of the last
days (loaded once: a database that has inquiries is left as it is), then the ledgers (plates,
postal requests)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.dates import today
from app.counter import catalog, inquiries
from app.counter.inquiry_models import Inquiry
from app.counter.ledgers import demo as ledgers_demo
from app.extensions import db

INQUIRIES = (
    # days ago, kind, channel, category, procedure, question, answer, handed to, minutes
    (1, "inquiry", "phone", "certificate", "resident_record_copy", "住民票の写しを代理人が取るには",
     "委任状と代理人の本人確認書類が必要と案内", "", 5),
    (2, "inquiry", "window", "seal", "seal_registration", "印鑑登録に必要なもの",
     "登録する印鑑と本人確認書類を案内", "", 3),
    (3, "inquiry", "phone", "nhi", "", "国民健康保険税の減免について", "", "国保年金課 保険税係", 8),
    (5, "complaint", "window", "other", "", "待ち時間が長く説明もなかった", "", "", 15),
)


def _inquiries() -> None:
    operator = db.session.scalar(select(User).where(User.username == "operator"))
    if operator is None or db.session.scalar(select(Inquiry.id).limit(1)) is not None:
        return
    for days, kind, channel, category, code, question, answer, handed_to, minutes in INQUIRIES:
        at = datetime.combine(today() - timedelta(days=days), time(10, 30))
        inquiries.record(inquiries.InquiryInput(kind, channel, at, category, code, question, answer, "",
                                                bool(handed_to), handed_to, minutes), by=operator)


def load() -> None:
    catalog.load()
    _inquiries()
    ledgers_demo.load()
