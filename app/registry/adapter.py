"""The registry adapter: what Yakuba asks of a resident registry, whoever keeps it.

Yakuba ships `LocalRegistry`, a stand-in over its own tables. A city connects its real core
system (住民記録システム, 000 §11 別表) by implementing `RegistryAdapter` and naming the class in
the `REGISTRY_ADAPTER` setting ("module:Class"). Services in this package add the audit log
around every call; adapters themselves do not audit.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from app.config import settings
from app.core.dates import today
from app.core.refusal import Refusal
from app.registry.models import HEAD, PensionCategory, ResidentStatus, Sex


class RegistryError(Refusal):
    """An order the registry refuses, in Japanese for the person at the counter."""


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years (年齢計算ニ関スル法律: a year is completed the day before the
    birthday, which only matters for 29 February; counting whole years gives the same age)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class PersonRecord:
    id: int
    household_id: int
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    birth_date: date
    sex: Sex
    relationship: str
    postal_code: str
    address: str
    domicile: str = ""
    domicile_head: str = ""
    resident_since: date | None = None
    address_since: date | None = None
    notified_on: date | None = None
    previous_address: str = ""
    status: ResidentStatus = ResidentStatus.active
    left_on: date | None = None
    left_to: str = ""
    nhi_member: bool = False
    pension_category: PensionCategory = PensionCategory.none

    def __post_init__(self) -> None:
        """A city's adapter may answer the codes as plain text: they become the enums here."""
        object.__setattr__(self, "sex", Sex(self.sex))
        object.__setattr__(self, "status", ResidentStatus(self.status))
        object.__setattr__(self, "pension_category", PensionCategory(self.pension_category))

    @property
    def name(self) -> str:
        return f"{self.family_name}\u3000{self.given_name}"

    @property
    def kana(self) -> str:
        return f"{self.family_kana}\u3000{self.given_kana}"

    @property
    def active(self) -> bool:
        return self.status == ResidentStatus.active

    def age(self, on: date | None = None) -> int:
        return age_on(self.birth_date, on or today())


@dataclass(frozen=True)
class HouseholdRecord:
    id: int
    postal_code: str
    address: str
    members: tuple[PersonRecord, ...]

    @property
    def active_members(self) -> tuple[PersonRecord, ...]:
        return tuple(m for m in self.members if m.active)

    @property
    def head(self) -> PersonRecord | None:
        return next((m for m in self.active_members if m.relationship == HEAD), None)


@dataclass(frozen=True)
class SearchCriteria:
    kana: str = ""
    name: str = ""
    birth_date: date | None = None
    address: str = ""
    include_inactive: bool = False
    limit: int = 50

    def is_empty(self) -> bool:
        return not (self.kana or self.name or self.birth_date or self.address)


@dataclass(frozen=True)
class NewPerson:
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    birth_date: date
    sex: str
    relationship: str
    nhi_member: bool = False
    pension_category: str = ""
    domicile: str = ""
    domicile_head: str = ""


@dataclass(frozen=True)
class MoveOrder:
    """A resident move as approved by city staff (000 §7(2)), ready to apply.

    - move_in: `new_persons` arrive at `address` (a new household, or `join_household_id`);
    - move_out: `member_ids` leave for `destination`;
    - move_within: `member_ids` move to `address` (the whole household moves when all its
      members do; otherwise the movers form a new household headed by `new_head_id`, or join
      `join_household_id`);
    - household_change: `new_head_id` becomes head of the household and `relationships`
      re-states the others' relationship to the new head.
    When the head leaves a household that keeps members, `remaining_head_id` names the new head.
    """

    kind: str
    moved_on: date
    notified_on: date
    member_ids: tuple[int, ...] = ()
    new_persons: tuple[NewPerson, ...] = ()
    postal_code: str = ""
    address: str = ""
    previous_address: str = ""
    destination: str = ""
    join_household_id: int | None = None
    new_head_id: int | None = None
    remaining_head_id: int | None = None
    relationships: dict[int, str] = field(default_factory=dict)


class RegistryAdapter(ABC):
    """The registry operations Yakuba needs. Implementations must not store the individual
    number anywhere; `my_number` answers it for printing only."""

    label: str = ""

    @abstractmethod
    def person(self, resident_id: int) -> PersonRecord | None: ...

    @abstractmethod
    def household(self, household_id: int) -> HouseholdRecord | None: ...

    @abstractmethod
    def search(self, criteria: SearchCriteria) -> list[PersonRecord]: ...

    @abstractmethod
    def my_number(self, resident_id: int) -> str | None: ...

    @abstractmethod
    def born_between(self, first: date, last: date) -> list[PersonRecord]:
        """Active residents born on `first` to `last` (both included), by birth date and id: the
        monthly lists of people reaching an age (000 §6(11)①サ, §6(13)①ケ)."""

    @abstractmethod
    def households(self, address: str = "") -> list[HouseholdRecord]:
        """Households with an active member, by postal code and id; `address` keeps those whose
        address contains it (a district): the October survey's mailing list (000 §6(6))."""

    @abstractmethod
    def apply_move(self, order: MoveOrder) -> list[int]:
        """Apply an approved move; returns the ids of the residents it changed or created."""


def get_adapter() -> RegistryAdapter:
    """The adapter named by the REGISTRY_ADAPTER setting (default: the local stand-in)."""
    spec = settings().REGISTRY_ADAPTER
    cache = current_app.extensions.setdefault("yakuba_registry", {})
    if spec not in cache:
        module_name, _, class_name = spec.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        if not issubclass(cls, RegistryAdapter):
            raise TypeError(f"{spec} is not a RegistryAdapter")
        cache[spec] = cls()
    return cache[spec]
