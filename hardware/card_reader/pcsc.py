"""PC/SC transport through pyscard and the pcscd daemon.

pyscard is imported here only, so the server installs without it (the ``pcsc`` extra).
Without pcscd, pyscard raises ``EstablishContextException`` (0x8010001D, HARDWARE.md).
"""

from __future__ import annotations

import contextlib
from types import TracebackType
from typing import Any

from hardware.card_reader.errors import CardReaderError, NoCard, NoReader


def _pyscard() -> Any:
    try:
        import smartcard.System
    except ImportError:
        raise NoReader("pyscard がインストールされていません") from None
    return smartcard


def list_readers() -> list[str]:
    """Names of the PC/SC readers pcscd knows; NoReader when pcscd is not reachable."""
    smartcard = _pyscard()
    from smartcard.Exceptions import ListReadersException
    from smartcard.pcsc.PCSCExceptions import BaseSCardException

    try:
        return [str(reader) for reader in smartcard.System.readers()]
    except ListReadersException:
        return []
    except BaseSCardException:
        raise NoReader("pcscd に接続できません") from None


def pcscd_reachable() -> bool:
    """True when a PC/SC context can be established."""
    try:
        list_readers()
    except CardReaderError:
        return False
    return True


class PcscReader:
    """One PC/SC reader; ``transmit`` moves APDUs to the card in it.

    ``reader_name`` None means the first reader. The connection takes T=1 or T=0, whichever
    the card and reader agree on (pyscard's default protocol mask T0|T1).
    """

    def __init__(self, reader_name: str | None = None) -> None:
        self.reader_name = reader_name
        self._connection: Any = None

    def __repr__(self) -> str:
        return f"PcscReader({self.reader_name!r})"

    def _find_reader(self) -> Any:
        smartcard = _pyscard()
        from smartcard.pcsc.PCSCExceptions import BaseSCardException

        try:
            readers = smartcard.System.readers()
        except BaseSCardException:
            raise NoReader("pcscd に接続できません") from None
        for reader in readers:
            if self.reader_name is None or str(reader) == self.reader_name:
                return reader
        raise NoReader(self.reader_name or "PC/SC")

    def connect(self) -> None:
        """Connect to the card; NoCard when the reader is empty or the card does not answer."""
        from smartcard.Exceptions import CardConnectionException, NoCardException

        connection = self._find_reader().createConnection()
        try:
            connection.connect()
        except (NoCardException, CardConnectionException):
            raise NoCard() from None
        self._connection = connection

    def disconnect(self) -> None:
        """Release the card; pyscard resets or powers it off, so the PIN must be verified again."""
        connection, self._connection = self._connection, None
        if connection is not None:
            from smartcard.Exceptions import CardConnectionException

            with contextlib.suppress(CardConnectionException):
                connection.disconnect()
            connection.release()

    def atr(self) -> bytes:
        """The card's answer to reset."""
        if self._connection is None:
            raise NoCard()
        return bytes(self._connection.getATR())

    def transmit(self, apdu: bytes) -> tuple[bytes, int, int]:
        """Send one APDU. Errors are re-raised without the command, which may hold the PIN."""
        if self._connection is None:
            raise NoCard()
        from smartcard.Exceptions import CardConnectionException

        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except CardConnectionException:
            raise NoCard() from None
        return bytes(data), sw1, sw2

    def __enter__(self) -> PcscReader:
        self.connect()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.disconnect()
