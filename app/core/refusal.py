"""The one base for refusals (STYLE rule 16): a rule said no, with a message for the person.

Each domain subclasses `Refusal` in one line (`class SealError(Refusal): pass`). A step that
finds several problems raises one refusal that carries them all, so the form shows every
problem at once (app/web/forms.py `show_refusal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a step was refused; `field` names the form field to mark ("" for the form)."""

    field: str
    message: str


class Refusal(ValueError):
    """A refused step: `message` is Japanese text for the person, `field` the form field it is
    about ("" when it is about the whole form), `problems` every problem found."""

    def __init__(self, message: str, field: str | None = None,
                 problems: Iterable[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field or ""
        self.problems: list[Problem] = list(problems or ()) or [Problem(self.field, message)]

    @classmethod
    def of(cls, problems: Iterable[Problem],
           message: str = "入力内容に誤りがあります。") -> Refusal:
        """One refusal for several problems; its message is the only problem's, or `message`."""
        found = list(problems)
        if len(found) == 1:
            return cls(found[0].message, found[0].field)
        return cls(message, problems=found)
