from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavItem:
    """A menu entry. Who sees it is decided by the view's own role declaration."""

    label: str
    endpoint: str
    group: str
