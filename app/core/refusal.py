"""The one base for refusals (STYLE rule 16): a rule said no, with a message for the person."""

from __future__ import annotations


class Refusal(ValueError):
    """A refused step: `message` is Japanese text for the person, `field` the form field it is
    about (if any), `problems` every problem found (field -> messages) when there are several."""

    def __init__(self, message: str, field: str | None = None,
                 problems: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or {}
