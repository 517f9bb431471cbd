"""Demo register of the counter programme (and of the donation programme when its demo accounts
exist): its 作業責任者 and 作業従事者 tied to the demo accounts, their pledges and a training,
the handling area the counter terminals stand in, and one incident the city acknowledged."""

from __future__ import annotations

from datetime import timedelta

from reportlab.platypus import Paragraph
from sqlalchemy import select

from app.auth.models import User
from app.core.dates import now, today
from app.core.pdf import build, styles
from app.devices.models import Terminal, TerminalKind
from app.extensions import db
from app.staff import areas, incidents, leads, register, training, uploads
from app.staff.programmes import Programme, reaches

#: programme → (supervisor, city staff, operators) demo usernames
ACCOUNTS = {Programme.counter: ("supervisor", "city", ("operator",)),
            Programme.furusato: ("furusato-lead", "city-furusato", ("furusato",))}
START = today() - timedelta(days=240)


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def pledge_pdf(name: str) -> bytes:
    """A stand-in for a scanned, signed 誓約書."""
    s = styles()
    return build([Paragraph("秘密保持に関する誓約書", s["title"]),
                  Paragraph(f"私は、委託業務の履行により知り得た個人情報を第三者に漏らしません。　{name}", s["body"])],
                 "誓約書", name)


def _register(programme: str, lead: User, operators: list[User]) -> None:
    chief = register.add_entry(programme, register.EntryInput(lead.display_name, "業務全体の統括", START, lead.id,
                                                              "lead"), by=lead)
    people = [chief] + [register.add_entry(programme, register.EntryInput(u.display_name, "受付・交付", START, u.id),
                                           by=lead) for u in operators]
    for entry in people:
        register.record_pledge(entry, START, uploads.Upload("pledge.pdf", pledge_pdf(entry.name)), by=lead)
    training.record_training(programme, training.TrainingInput(
        "個人情報保護・情報セキュリティ研修",
        "全従事者を対象に、特記事項の遵守事項と事故時の対応を学ぶ（講師：統括責任者）",
        START + timedelta(days=3), [e.id for e in people]), uploads.Upload("training.pdf", pledge_pdf("研修資料")),
        by=lead)
    leads.request_change(programme, leads.LeadChangeInput("後任 統括", "業務全体の統括", today() + timedelta(days=30),
                                                          "人事異動のため（デモ）"), by=lead)


def load() -> None:
    for programme, (lead_name, city_name, operator_names) in ACCOUNTS.items():
        lead, city = _user(lead_name), _user(city_name)
        if lead is None or city is None or not reaches(lead, programme):
            continue
        operators = [u for u in map(_user, operator_names) if u is not None]
        _register(programme, lead, operators)
        area = areas.save_area(programme, None, areas.AreaInput(
            "執務室" if programme == Programme.furusato else "市民課窓口", "本庁舎1階",
            "入退室は職員証で記録、書類は施錠保管、私物の持込み・持出し禁止"), by=lead)
        if programme == Programme.counter:
            for terminal in db.session.scalars(select(Terminal).where(Terminal.kind == TerminalKind.counter_pc)):
                terminal.handling_area_id = area.id
        if operators:
            incident = incidents.report(programme, incidents.IncidentInput(
                "wrong_person", now() - timedelta(days=20), area.name,
                "交付書類を別の来庁者に渡しかけ、その場で回収した",
                "氏名・住所", 1, "回収し、本人へ説明した"), by=operators[0])
            incidents.acknowledge(incident, "交付時の読み上げ確認を徹底すること", by=city)
