"""Intake of one-stop applications (issue 17 §1): typed or scanned paper forms (004 §7(11)ア),
the match to the donor and the donations of the year, 変更届 and withdrawal.

Deadline (地方税法附則第7条; the paragraph that sets 「申告特例対象年の翌年の1月10日まで」 was not
checked against the statute's text here, so only the article is cited): an application or a
change received after 10 January of the year after the donations is refused with the rule named.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import extract, or_, select

from app.auth import audit
from app.auth.models import User
from app.core.dates import now, today
from app.core.refusal import Problem, Refusal
from app.extensions import db
from app.furusato import normalize as nz
from app.furusato.models import Donation, DonationState, Donor
from app.furusato.onestop import home, vault
from app.furusato.onestop.models import (
    ApplicationState,
    ChangeKind,
    IntakeChannel,
    MatchState,
    OneStopApplication,
    OneStopChange,
    OneStopDonation,
    OneStopImage,
)

DEADLINE_RULE = "地方税法附則第7条（申告特例申請書・変更届出書の提出は申告特例対象年の翌年1月10日まで）"
PAID = (DonationState.paid, DonationState.posted)
IMAGE_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}
MAX_IMAGE = 10 * 1024 * 1024
NO_HOME = "郵便番号から住所地の市区町村が分かりません。郵便番号を確かめてください。"


class OneStopError(Refusal):
    pass


def deadline(tax_year: int) -> date:
    return date(tax_year + 1, 1, 10)


def check_deadline(tax_year: int, received_on: date, what: str = "申請書") -> None:
    if received_on > deadline(tax_year):
        raise OneStopError(f"{tax_year}年の寄附の{what}は{deadline(tax_year):%Y年%-m月%-d日}までに届いたものに限り"
                           f"受け付けます（{DEADLINE_RULE}）。{received_on:%Y年%-m月%-d日}着のため受け付けられません。"
                           "確定申告をご案内してください。", "received_on")


@dataclass
class IntakeInput:
    """A paper form as the office types it (or an online row as a profile reads it)."""

    tax_year: int
    received_on: date
    name: str
    kana: str
    birth_date: date | None
    gender: str
    postal_code: str
    address: str
    phone: str
    email: str
    number: str  # never kept in the clear: sealed at once
    documents: list[str] = field(default_factory=list)
    declared_no_return: bool = False
    declared_five_or_fewer: bool = False
    form_complete: bool = False
    channel: str = IntakeChannel.paper


def _problems(data: IntakeInput) -> list[Problem]:
    problems = [Problem(f, f"{label}を入力してください。") for f, label in
                (("name", "氏名"), ("address", "住所"), ("postal_code", "郵便番号")) if not getattr(data, f).strip()]
    if data.received_on > today():
        problems.append(Problem("received_on", "到着日に未来の日付は入力できません。"))
    if data.birth_date is None:
        problems.append(Problem("birth_date", "生年月日を入力してください。"))
    try:
        vault.check_number(data.number)
    except vault.NumberRefused as refused:
        problems.append(Problem("number", refused.message))
    if data.postal_code and home.home_of(data.postal_code, data.address) is None:
        problems.append(Problem("postal_code", NO_HOME))
    return problems


def problems_of(data: IntakeInput) -> list[Problem]:
    """Everything `receive` would refuse, the deadline included (for checking a whole file first)."""
    problems = _problems(data)
    try:
        check_deadline(data.tax_year, data.received_on)
    except OneStopError as refused:
        problems.append(Problem("received_on", refused.message))
    return problems


def _donor_candidates(data: IntakeInput) -> tuple[list[int], bool]:
    """Donors the form may be of, and whether the match is certain (a strong key, one donor)."""
    keys = nz.match_keys(data.kana, data.birth_date, data.phone, data.postal_code, data.address)
    conditions = [c == k for k, c in ((keys.birth, Donor.key_birth), (keys.phone, Donor.key_phone),
                                      (keys.address, Donor.key_address)) if k]
    if conditions:
        found = list(db.session.scalars(select(Donor.id).where(or_(*conditions), Donor.merged_into_id.is_(None))))
        if len(set(found)) == 1:
            return found, True
        if found:
            return sorted(set(found)), False
    weak = [c == k for k, c in ((keys.postal, Donor.key_postal), (keys.phone_only, Donor.phone_key)) if k]
    if not weak:
        return [], False
    return sorted(set(db.session.scalars(select(Donor.id).where(or_(*weak), Donor.merged_into_id.is_(None))))), False


def donations_of(donor_id: int, tax_year: int) -> list[Donation]:
    """The donor's donations paid in the year (the year of 収納 decides the tax year)."""
    return list(db.session.scalars(select(Donation).where(
        Donation.donor_id == donor_id, Donation.paid_on.is_not(None),
        extract("year", Donation.paid_on) == tax_year).order_by(Donation.paid_on, Donation.id)))


def _match(application: OneStopApplication, data: IntakeInput) -> None:
    candidates, certain = _donor_candidates(data)
    if certain:
        application.donor_id, application.match = candidates[0], MatchState.matched
        for donation in donations_of(candidates[0], application.tax_year):
            application.covered.append(OneStopDonation(donation_id=donation.id))
        if not application.covered:
            application.match = MatchState.uncertain
    else:
        application.match = MatchState.uncertain if candidates else MatchState.unmatched


def receive(data: IntakeInput, *, by: User | None, images: list[tuple[str, bytes]] | None = None) -> OneStopApplication:
    """Log one application: checked, deadline applied, the number sealed, matched; audited."""
    problems = _problems(data)
    if problems:
        raise OneStopError.of(problems)
    check_deadline(data.tax_year, data.received_on)
    token, tail = vault.seal(data.number)
    found = home.home_of(data.postal_code, data.address)
    assert found is not None
    application = OneStopApplication(
        tax_year=data.tax_year, channel=IntakeChannel(data.channel), received_on=data.received_on,
        name=nz.display_name(data.name), kana=nz.display_kana(data.kana), birth_date=data.birth_date,
        gender=data.gender, postal_code=nz.postal_digits(data.postal_code), address=data.address.strip(),
        phone=data.phone, email=data.email.strip(), home_code=found.code, home_name=found.name,
        number_cipher=token, number_tail=tail, id_documents=",".join(data.documents),
        declared_no_return=data.declared_no_return, declared_five_or_fewer=data.declared_five_or_fewer,
        form_complete=data.form_complete, created_by=by.username if by else "(system)")
    db.session.add(application)
    _match(application, data)
    for mime, content in images or ():
        attach_image(application, mime, content)
    db.session.flush()
    audit.record("create", "furusato_onestop", application.id,
                 f"ワンストップ特例申請の受付（{application.channel.label}、{application.match.label}）", by=by)
    return application


def check_image(mime: str, content: bytes) -> None:
    if mime not in IMAGE_TYPES or not content.startswith(IMAGE_TYPES[mime]):
        raise OneStopError("申請書の画像はPDF・JPEG・PNGのファイルにしてください。", "image")
    if len(content) > MAX_IMAGE:
        raise OneStopError("申請書の画像は1ファイル10MBまでです。", "image")


def attach_image(application: OneStopApplication, mime: str, content: bytes) -> OneStopImage:
    """A scanned page, encrypted like the number (issue 17 §3)."""
    check_image(mime, content)
    if application.id is None:
        db.session.flush()
    image = OneStopImage(application_id=application.id, mime=mime, size=len(content),
                         cipher=vault.seal_bytes(content))
    db.session.add(image)
    return image


def open_image(image: OneStopImage, *, by: User) -> bytes:
    if not by.number_handler:
        raise OneStopError("申請書の画像を開けるのは事務取扱担当者だけです。")
    if image.cipher is None:
        raise OneStopError("この画像は消去済みです。")
    audit.record("read", "furusato_onestop_image", image.id, f"申請#{image.application_id}の画像を表示", by=by)
    return vault.open_bytes(image.cipher)


def link_donor(application: OneStopApplication, donor_id: int, donation_ids: list[int], *, by: User) -> None:
    """The office decides an uncertain match: the donor and the donations the form covers."""
    donations = {d.id: d for d in db.session.scalars(select(Donation).where(Donation.id.in_(donation_ids)))}
    problems = [Problem("donations", f"寄附#{i}はこの寄附者の寄附ではありません。")
                for i in donation_ids if i not in donations or donations[i].donor_id != donor_id]
    if not donation_ids:
        problems.append(Problem("donations", "申請書の対象となる寄附を選んでください。"))
    if problems:
        raise OneStopError.of(problems)
    application.donor_id, application.match = donor_id, MatchState.matched
    application.covered.clear()
    db.session.flush()
    application.covered.extend(OneStopDonation(donation_id=i) for i in donation_ids)
    _touch(application)
    audit.record("update", "furusato_onestop", application.id, f"寄附者・寄附の照合（寄附{len(donation_ids)}件）",
                 by=by)


CHANGEABLE = {"name": "氏名", "kana": "フリガナ", "postal_code": "郵便番号", "address": "住所", "phone": "電話番号",
              "email": "メールアドレス", "number": "個人番号"}


def _touch(application: OneStopApplication) -> None:
    application.updated_at = now()
    if application.handed_over_at is not None:
        application.changed_after_handover = True


def change(application: OneStopApplication, received_on: date, values: dict[str, str], *,
           by: User | None) -> list[OneStopChange]:
    """申告特例申請事項変更届出書: the new values, each with its history row; the home
    municipality follows the address. Refused after the deadline (DEADLINE_RULE)."""
    check_deadline(application.tax_year, received_on, "変更届出書")
    if application.state == ApplicationState.withdrawn:
        raise OneStopError("取下げ済みの申請は変更できません。")
    rows: list[OneStopChange] = []
    for name, value in values.items():
        if name not in CHANGEABLE:
            raise OneStopError(f"変更できない項目です：{name}", name)
        if name == "number":
            token, tail = vault.seal(value)
            before, after = application.masked_number, vault.mask(tail)
            application.number_cipher, application.number_tail = token, tail
        else:
            value = nz.postal_digits(value) if name == "postal_code" else value.strip()
            before, after = getattr(application, name), value
            if before == after:
                continue
            setattr(application, name, value)
        rows.append(OneStopChange(application_id=application.id, kind=ChangeKind.change, field=name,
                                  before=before, after=after, received_on=received_on,
                                  by=by.username if by else "(system)"))
    found = home.home_of(application.postal_code, application.address)
    if found is None:
        raise OneStopError(NO_HOME, "postal_code")
    if found.code != application.home_code:
        rows.append(OneStopChange(application_id=application.id, kind=ChangeKind.change, field="home_code",
                                  before=application.home_code, after=found.code, received_on=received_on,
                                  by=by.username if by else "(system)"))
        application.home_code, application.home_name = found.code, found.name
    db.session.add_all(rows)
    _touch(application)
    audit.record("update", "furusato_onestop", application.id,
                 "変更届：" + "、".join(CHANGEABLE.get(r.field, "住所地の市区町村") for r in rows), by=by)
    return rows


def withdraw(application: OneStopApplication, received_on: date, note: str, *, by: User | None) -> None:
    """The donor files a tax return instead: the application no longer goes to the municipality."""
    if application.state == ApplicationState.withdrawn:
        raise OneStopError("この申請はすでに取下げ済みです。")
    db.session.add(OneStopChange(application_id=application.id, kind=ChangeKind.withdrawal, field="state",
                                 before=application.state.label, after=ApplicationState.withdrawn.label,
                                 received_on=received_on, by=by.username if by else "(system)"))
    application.state, application.withdrawn_at = ApplicationState.withdrawn, now()
    _touch(application)
    audit.record("update", "furusato_onestop", application.id, f"取下げ（{note[:100]}）" if note else "取下げ", by=by)


def history(application: OneStopApplication) -> list[OneStopChange]:
    return list(db.session.scalars(select(OneStopChange).where(OneStopChange.application_id == application.id)
                                   .order_by(OneStopChange.at, OneStopChange.id)))


def images_of(application: OneStopApplication) -> list[OneStopImage]:
    """The scanned papers of an application (their content stays encrypted until a handler opens one)."""
    return list(db.session.scalars(select(OneStopImage).where(OneStopImage.application_id == application.id)
                                   .order_by(OneStopImage.id)))
