"""Background work of the staff domain: the handover package, the erasure, and the nightly end
of the sessions of terms that ended (importing the modules registers them)."""

from __future__ import annotations

from app.staff import erasure, handover, login  # noqa: F401
