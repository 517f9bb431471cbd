"""The monthly back office's background work: the mail-out PDFs (app/counter/monthly/mailouts.py)."""

from app.counter.monthly import mailouts  # noqa: F401  (registers its kind of background work)
