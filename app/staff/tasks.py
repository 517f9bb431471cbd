"""Background work of the staff domain: the handover package and the erasure (importing the
modules registers their kinds)."""

from __future__ import annotations

from app.staff import erasure, handover  # noqa: F401
