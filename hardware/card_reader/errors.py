"""Typed errors of the card reader.

Every error carries a stable ``code`` and a Japanese ``message`` for the counter screen, and
``to_result()`` turns it into the dict an agent job returns. No error ever holds the PIN or the
individual number: the messages are fixed texts built only from counts and status words.
"""

from __future__ import annotations


class CardReaderError(Exception):
    """Base class: ``code`` for programs, ``message`` (Japanese) for people."""

    code = "card_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_result(self) -> dict[str, object]:
        """The failure as an agent job result."""
        return {"code": self.code, "message": self.message}


class WrongPin(CardReaderError):
    """VERIFY answered ``63 Cx`` with x > 0: the PIN was wrong, x tries remain."""

    code = "wrong_pin"

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"暗証番号が違います。残り{tries_left}回")
        self.tries_left = tries_left

    def to_result(self) -> dict[str, object]:
        return {**super().to_result(), "tries_left": self.tries_left}


class PinBlocked(CardReaderError):
    """The retry counter reached 0 (``63 C0``) or the card answers ``69 84``.

    Only a city counter can reset it, so the reader never sends VERIFY again.
    """

    code = "blocked"

    def __init__(self) -> None:
        super().__init__("暗証番号がロックされています。暗証番号再設定の手続が必要です。")

    def to_result(self) -> dict[str, object]:
        return {**super().to_result(), "tries_left": 0}


class InvalidPin(CardReaderError):
    """The PIN is not exactly four ASCII digits; checked before anything is sent."""

    code = "invalid_pin"

    def __init__(self) -> None:
        super().__init__("暗証番号は4桁の数字で入力してください。")


class NoCard(CardReaderError):
    """The reader (or simulated slot) holds no card, or the card went away."""

    code = "no_card"

    def __init__(self) -> None:
        super().__init__("カードが置かれていません。カードをリーダーに置いてください。")


class NoReader(CardReaderError):
    """pcscd is not running, or the named reader is not attached."""

    code = "no_reader"

    def __init__(self, detail: str = "") -> None:
        message = "カードリーダーが見つかりません。"
        if detail:
            message = f"{message}（{detail}）"
        super().__init__(message)


class CardError(CardReaderError):
    """The card answered with an unexpected status word (ISO/IEC 7816-4 §5.6)."""

    code = "card_error"

    def __init__(self, sw: int) -> None:
        super().__init__(f"カードの読み取りに失敗しました。（SW {sw:04X}）")
        self.sw = sw

    def to_result(self) -> dict[str, object]:
        return {**super().to_result(), "sw": f"{self.sw:04X}"}


class ParseError(CardReaderError):
    """The data read from the card is not the structure the AP defines."""

    code = "bad_data"

    def __init__(self, detail: str) -> None:
        super().__init__(f"カードのデータを解釈できませんでした。（{detail}）")
        self.detail = detail
