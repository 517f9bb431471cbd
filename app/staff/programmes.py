"""The programmes a register belongs to, and who reaches which (issue #14 §1)."""

from __future__ import annotations

from app.auth.models import Programme, User


def reaches(user: User, programme: str) -> bool:
    """Whether the user works in the programme (an unknown programme is no one's)."""
    return Programme.has(programme) and user.reaches(programme)


__all__ = ["Programme", "reaches"]
