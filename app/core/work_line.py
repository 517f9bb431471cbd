"""One line of a home page's work list (STYLE rule 20): what waits, how many, and where."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorkLine:
    label: str
    count: int
    endpoint: str
    url_args: Mapping[str, str] = field(default_factory=dict)
    note: str = ""  # e.g. 「うち期限超過 3件」
    group: str = ""  # the heading it is listed under: 窓口業務, 会計, ふるさと納税, …
