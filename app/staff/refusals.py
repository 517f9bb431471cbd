"""The staff domain's refusal (STYLE rule 16)."""

from __future__ import annotations

from app.core.refusal import Refusal


class StaffError(Refusal):
    pass
