"""The garbage collector during bulk work.

A bulk step (a portal import of a million rows) allocates millions of short-lived objects, and
every few thousand of them CPython's collector runs; each full collection walks every object the
process keeps for its whole life too (the app, SQLAlchemy's metadata, the postal table, caches).
Measured on a 20,000-row import (issue 22): nine full collections took 2.2–2.5 s of a 7 s run.
Freezing what is alive when the work starts (`gc.freeze`) takes it out of the collector's sight
for the duration; the work's own garbage is still collected as usual, and on the way out
everything frozen goes back to the oldest generation (`gc.unfreeze`), so nothing is kept that
would otherwise have been freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Run the block with the objects alive at its start frozen. Threads may overlap such blocks:
    the first to end unfreezes for all, which only costs the others speed, never memory."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
