"""Demo seal records for the fictional city: its seal holders move in through the registry's
own service, and their impressions, made with the scanner simulator, are registered through
the same services (and so through the same checks and review)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.models import Role, User
from app.core.dates import today
from app.demo import DEMO_USERS
from app.extensions import db
from app.registry import services as registry
from app.registry.adapter import MoveOrder, NewPerson
from app.registry.models import HEAD
from app.seal import services
from hardware.scanner.base import to_grayscale
from hardware.scanner.simulator import make_seal_image

HOUSEHOLDS = {
    "honcho": ("0290001", "岩手県山彦市本町二丁目3番4号"),  # app/registry/places.py TOWNS
    "kawara": ("0290002", "岩手県山彦市川原町5番6号"),
}
DEMO_PEOPLE = (
    # household, relationship, name, kana, birth date, sex, seal: side mm, shape, text
    ("honcho", HEAD, "山彦\u3000一郎", "ヤマビコ\u3000イチロウ", date(1968, 7, 14), "1", 15.0, "round", "山彦"),
    ("honcho", "妻", "山彦\u3000花子", "ヤマビコ\u3000ハナコ", date(1971, 2, 3), "2", 12.0, "oval", "花子"),
    ("kawara", HEAD, "佐藤\u3000健太", "サトウ\u3000ケンタ", date(1990, 11, 30), "1", 18.0, "square", "佐藤健太"),
)
SCANNER_DPI = 600
MOVED_IN = date(2015, 4, 1)


def _move_in(household: str) -> list[int]:
    postal_code, address = HOUSEHOLDS[household]
    persons = []
    for key, relationship, name, kana, birth, sex, *_ in DEMO_PEOPLE:
        if key != household:
            continue
        family, given = name.split("\u3000")
        family_kana, given_kana = kana.split("\u3000")
        persons.append(NewPerson(family, given, family_kana, given_kana, birth, sex, relationship))
    order = MoveOrder(kind="move_in", moved_on=MOVED_IN, notified_on=MOVED_IN, new_persons=tuple(persons),
                      postal_code=postal_code, address=address, previous_address="東京都千代田区霞が関一丁目1番")
    return registry.apply_move(order, "デモデータ：印鑑登録者の転入", by=None)


def _demo_staff(role: Role) -> User:
    """The demo account of a role (app/demo.py makes them before the domains' demo data)."""
    username = next(name for name, _, user_role, scope, _ in DEMO_USERS if user_role == role and scope == "counter")
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def load() -> None:
    """Register the demo seals, received at the counter and approved by the city's staff."""
    by, reviewer = _demo_staff(Role.operator), _demo_staff(Role.city_staff)
    day = today()
    resident_ids = [rid for household in HOUSEHOLDS for rid in _move_in(household)]
    for resident_id, (_, _, _, _, _, _, side, shape, text) in zip(resident_ids, DEMO_PEOPLE, strict=True):
        application = services.open_registration(services.RegistrationInput(
            resident_id, applicant_kind="self", identity_path="photo_id", id_document="driver_license"),
            today=day, by=by)
        scan = to_grayscale(make_seal_image(side, shape=shape, text=text, dpi=SCANNER_DPI, seed=resident_id))
        services.attach_impression(application, scan, SCANNER_DPI, "デモデータ", by=by)
        services.confirm(application, services.Confirmation(True, True, True), by=by)
        services.request_review(application, by=by)
        services.approve(application, today=day, by=reviewer)
