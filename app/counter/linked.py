"""What another domain holds for a case, for the case page: a seal registration or abolition
case is worked on in the seal domain (its applications, reviewed there by city staff). The
page shows what this module answers; it never calls the other domain itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.models import User
from app.counter import workflow
from app.counter.models import Case, Category
from app.seal import services as seal


@dataclass(frozen=True)
class Link:
    """A page of another domain: its label and where it is (`url_for(endpoint, **args)`)."""

    label: str
    endpoint: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Linked:
    heading: str
    note: str
    records: list[Link]
    none_yet: str
    start: Link | None  # what `by` may open from the case, if anything


def for_case(case: Case, by: User) -> Linked | None:
    """The seal applications opened from a seal case, and the way to open one."""
    if case.procedure.category != Category.seal:
        return None
    records = [Link(f"受付番号{a.id}：{a.kind.label}［{a.state.label}］", "seal.application",
                    {"application_id": a.id}) for a in seal.applications_for_case(case.id)]
    start = None
    if workflow.is_counter_staff(by.role) and case.state not in workflow.CLOSED_STATES:
        start = Link("印鑑登録申請を受け付ける", "seal.new_application", {"case_id": case.id}) \
            if case.procedure.code == "seal_registration" else \
            Link("廃止・亡失する原票を選ぶ", "seal.records", {"case_id": case.id})
    return Linked("印鑑登録の申請・届出", "申請・届出の審査は印鑑登録の画面で市職員が行います。", records,
                  "この案件から受け付けた申請・届出はまだありません。", start)
