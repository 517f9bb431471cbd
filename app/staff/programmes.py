"""The programmes a register belongs to, and who reaches which (issue #14 §1)."""

from __future__ import annotations

from app.auth.models import User
from app.core.enums import Labelled

try:  # until the access-by-programme commit is merged
    from app.auth.models import Programme
except ImportError:  # pragma: no cover
    class Programme(Labelled):  # type: ignore[no-redef]
        counter = "counter", "窓口業務"
        furusato = "furusato", "ふるさと納税"


def reaches(user: User, programme: str) -> bool:
    if not Programme.has(programme):
        return False
    if hasattr(user, "reaches"):
        return bool(user.reaches(Programme(programme)))
    return True  # pragma: no cover


__all__ = ["Programme", "reaches"]
