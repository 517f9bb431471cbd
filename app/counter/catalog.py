"""The procedure catalog: the file (catalog.yaml) read, checked and loaded into the database,
and the entries as admin edits them.

The file is data, not code (issue 5): each entry of 000 §6 with who may apply, the identity
check, documents, the form's fields, the fee code, review and hand-over. Admin edits the
loaded rows; loading again updates entries by code and never deletes one a case refers to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from app.auth import audit
from app.auth.models import User
from app.core.cache import Cached
from app.core.dates import now, today
from app.core.models import DEPARTMENTS
from app.core.refusal import Problem, Refusal
from app.counter.models import Category, IdentityAlternative, IdentityLevel, Procedure, ProxyAuthority, RequesterKind
from app.extensions import db
from app.register import fees as register_fees
from app.register.fees import CODE_PATTERN as FEE_CODE_PATTERN

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")
FIELD_TYPES = ("text", "textarea", "int", "date", "bool", "select", "members", "member", "persons")
LAWS = ("resident", "family_register", "seal", "tax", "general", "my_number", "insurance", "pension")
ENTRY_KEYS = ("code", "name", "category", "spec", "department", "ticket_category", "law", "applicants",
              "identity", "documents", "fields", "review_required", "handover")
# 000 §7(2): certificate issue decisions and resident-move input are always confirmed by the city.
ALWAYS_REVIEWED = (Category.certificate, Category.move)


class CatalogError(Refusal):
    """The catalog file is not complete or names what Yakuba does not know, or an admin's edit
    of an entry is refused."""


@cache
def read_file(path: Path = CATALOG_FILE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def identity_documents() -> dict[str, dict[str, str]]:
    """{"photo": {code: label}, "other": {...}, "card": {...}}"""
    return read_file()["identity_documents"]


def identity_document_labels() -> dict[str, str]:
    return {code: label for group in identity_documents().values() for code, label in group.items()}


def entries(data: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Every procedure with its category defaults applied, checked for completeness."""
    data = data or read_file()
    out = []
    for position, raw in enumerate(data["procedures"]):
        entry = {**data["defaults"].get(raw.get("category", ""), {}), **raw}
        entry.setdefault("handover", [])
        entry.setdefault("fee", "")
        entry.setdefault("identity_alternative", "")
        entry.setdefault("proxy_authority", "power_of_attorney")
        entry["sort_order"] = position
        _check(entry, data)
        out.append(entry)
    codes = [e["code"] for e in out]
    if len(codes) != len(set(codes)):
        raise CatalogError("catalog codes are not unique")
    return out


def _check(entry: dict[str, Any], data: dict[str, Any]) -> None:
    code = entry.get("code", "?")
    missing = [k for k in ENTRY_KEYS if k not in entry]
    if missing:
        raise CatalogError(f"{code}: missing {missing}")
    if entry["category"] not in set(Category):
        raise CatalogError(f"{code}: unknown category {entry['category']}")
    if not set(entry["applicants"]) <= set(RequesterKind) or not entry["applicants"]:
        raise CatalogError(f"{code}: bad applicants {entry['applicants']}")
    if entry["identity"] not in set(IdentityLevel):
        raise CatalogError(f"{code}: unknown identity level {entry['identity']}")
    if entry["identity_alternative"] not in set(IdentityAlternative):
        raise CatalogError(f"{code}: unknown identity alternative")
    if entry["proxy_authority"] not in set(ProxyAuthority):
        raise CatalogError(f"{code}: unknown proxy authority")
    if entry["law"] not in LAWS:
        raise CatalogError(f"{code}: unknown law {entry['law']}")
    if entry["fee"] and not FEE_CODE_PATTERN.fullmatch(entry["fee"]):
        raise CatalogError(f"{code}: bad fee code {entry['fee']} (a code of the register's fee schedule)")
    for f in entry["fields"]:
        if f.get("type") not in FIELD_TYPES or not f.get("name") or not f.get("label"):
            raise CatalogError(f"{code}: bad field {f}")
        if f["type"] == "select" and not f.get("options"):
            raise CatalogError(f"{code}: select field {f['name']} has no options")


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    kept: tuple[str, ...]  # codes whose admin-edited settings were left as the admin made them


def load(data: dict[str, Any] | None = None, overwrite_admin_edits: bool = False) -> LoadResult:
    """Insert new entries and update existing ones by code. On an entry an admin has edited,
    what the admin can edit (name, department, ticket category, applicants, identity level,
    documents, handover, fee, review) stays as edited unless `overwrite_admin_edits`; the rest
    (the form's fields, the law, the spec reference, ...) always follows the file, and whether
    an entry is in use (`active`) is the admin's alone."""
    existing = {p.code: p for p in db.session.scalars(select(Procedure))}
    created = updated = 0
    kept: list[str] = []
    for entry in entries(data):
        procedure = existing.get(entry["code"])
        is_new = procedure is None
        if procedure is None:
            procedure = Procedure(code=entry["code"])
            db.session.add(procedure)
            created += 1
        procedure.category, procedure.spec_ref, procedure.law = entry["category"], entry["spec"], entry["law"]
        procedure.identity_alternative = entry["identity_alternative"]
        procedure.proxy_authority = entry["proxy_authority"]
        procedure.fields, procedure.sort_order = list(entry["fields"]), entry["sort_order"]
        if procedure.admin_edited_at is not None and not overwrite_admin_edits:
            kept.append(procedure.code)
            continue
        updated += not is_new
        procedure.admin_edited_at = None
        procedure.name = entry["name"]
        procedure.department, procedure.ticket_category = entry["department"], entry["ticket_category"]
        procedure.applicants, procedure.identity = list(entry["applicants"]), entry["identity"]
        procedure.documents, procedure.handover = list(entry["documents"]), list(entry["handover"])
        procedure.fee_code, procedure.review_required = entry["fee"], bool(entry["review_required"])
    db.session.flush()
    return LoadResult(created, updated, tuple(kept))


# -- the entries in the database ---------------------------------------------------------------

def list_procedures(active_only: bool = True) -> list[Procedure]:
    query = select(Procedure).order_by(Procedure.sort_order, Procedure.id)
    if active_only:
        query = query.where(Procedure.active.is_(True))
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ProcedureChoice:
    """What reception, the counter's call page and the search form show of an entry."""

    code: str
    name: str
    group: str  # its category's label, reception's heading
    ticket_category: str
    active: bool


def _read_choices() -> tuple[ProcedureChoice, ...]:
    rows = db.session.execute(select(Procedure.code, Procedure.name, Procedure.category, Procedure.ticket_category,
                                     Procedure.active).order_by(Procedure.sort_order, Procedure.id))
    return tuple(ProcedureChoice(code, name, Category(category).label, ticket_category, active)
                 for code, name, category, ticket_category, active in rows)


_CHOICES = Cached("catalog", _read_choices, (Procedure,))


def procedure_choices(active_only: bool = True) -> list[ProcedureChoice]:
    """The catalog's entries in its order, from this process's copy (app/core/cache.py): every
    reception and work list showed them, and read the whole catalog for it (issue 22)."""
    return [p for p in _CHOICES.get() if p.active or not active_only]


def procedures_for_ticket(category_code: str) -> list[ProcedureChoice]:
    """The active procedures a ticket of this queue category comes for (their 発券区分), in the
    catalog's order: what reception offers first for a called ticket."""
    return [p for p in procedure_choices() if p.ticket_category == category_code]


def get_procedure(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))


@dataclass
class ProcedureEdit:
    name: str
    department: str
    ticket_category: str
    applicants: list[str]
    identity: str
    documents: list[str]
    handover: list[str]
    fee_code: str
    review_required: bool
    active: bool


def _edit_problems(procedure: Procedure, edit: ProcedureEdit) -> list[Problem]:
    problems = []
    if not edit.name.strip():
        problems.append(Problem("name", "手続名を入力してください。"))
    if edit.department not in DEPARTMENTS:
        problems.append(Problem("department", "担当課を選んでください。"))
    if not edit.applicants or not set(edit.applicants) <= set(RequesterKind):
        problems.append(Problem("applicants", "受付できる請求者を1つ以上選んでください。"))
    if edit.identity not in set(IdentityLevel):
        problems.append(Problem("identity", "本人確認の水準を選んでください。"))
    if edit.fee_code and edit.fee_code not in register_fees.rates_on(today()):
        problems.append(Problem("fee_code", "手数料コードが手数料表にありません。"))
    if procedure.category in ALWAYS_REVIEWED and not edit.review_required:
        problems.append(Problem("review_required",
                                "証明書の交付と住民異動届は、市職員の審査を省略できません（000 §7(2)）。"))
    return problems


def can_edit(by: User) -> bool:
    """Only an admin edits the catalog (the page says so, and links each entry)."""
    return by.role == "admin"


def update_procedure(procedure: Procedure, edit: ProcedureEdit, by: User) -> Procedure:
    """Admin's edit of a catalog entry (every problem refused at once). Certificates and moves
    stay reviewed (000 §7(2))."""
    problems = _edit_problems(procedure, edit)
    if problems:
        raise CatalogError.of(problems)
    procedure.name, procedure.department = edit.name.strip(), edit.department
    procedure.ticket_category = edit.ticket_category.strip() or procedure.ticket_category
    procedure.applicants, procedure.identity = list(edit.applicants), edit.identity
    procedure.documents = [d.strip() for d in edit.documents if d.strip()]
    procedure.handover = [d.strip() for d in edit.handover if d.strip()]
    procedure.fee_code, procedure.review_required, procedure.active = edit.fee_code, edit.review_required, edit.active
    procedure.admin_edited_at = now()
    db.session.flush()
    audit.record("update", "procedure", procedure.id, f"{procedure.code} {procedure.name}", by=by)
    return procedure
