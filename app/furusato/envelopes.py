"""What goes into one window envelope to a donor (issue 16 §2): the receipt certificates of the
donor's donations in a batch, the thank-you letter, and where asked the one-stop form and the
postal transfer slip. Plain data, read from the database by the batch and rendered to PDF by
app/furusato/certificate_pdf.py, so the renderer never touches a session and a benchmark can
feed it made-up envelopes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Recipient:
    """The donor as the donation gave them (name and address as given: the certificate is
    addressed to the person who paid)."""

    name: str
    postal_code: str  # 7 digits, no hyphen
    address: str  # prefecture included
    kana: str = ""
    birth_date: date | None = None
    phone: str = ""


@dataclass(frozen=True)
class CertificateLine:
    """One 寄附金受領証明書: one donation, its number in the fiscal year of issue."""

    fiscal_year: int
    number: int
    amount: int
    paid_on: date  # 収納日: decides the tax year of the deduction
    applied_on: date
    order_id: str = ""
    use: str = ""  # 寄附の使い道, as the donor chose it
    gift: str = ""
    reissue: bool = False  # 再発行: marked as such, same number


@dataclass(frozen=True)
class Envelope:
    """One donor's envelope in a batch: one or more certificates, the letter, and the forms the
    donor asked for. `sort_key` is the postal code (郵便区分) the batch sorts by."""

    recipient: Recipient
    certificates: tuple[CertificateLine, ...]
    one_stop: bool = False  # ワンストップ特例申請書 wanted (004 §7(4)イ)
    postal_transfer: bool = False  # 払込取扱票 wanted (004 §7(4)カ)
    unpaid_amount: int = 0  # what the transfer slip asks for, when there is one
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def sort_key(self) -> str:
        return self.recipient.postal_code or "9999999"

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.certificates)


@dataclass(frozen=True)
class Issuer:
    """The city as it signs: its name, the mayor, the seal image (uploaded by the city; None
    when none is uploaded, and then a batch is refused: app/furusato/certificate_pdf.py),
    the office that answers questions."""

    city_name: str
    mayor_title: str
    mayor_name: str
    seal_png: bytes | None
    seal_mm: float
    office_name: str
    office_address: str
    office_phone: str
    postal_code: str = ""
    postal_account: str = ""  # 郵便振替の口座番号 printed on the 払込取扱票 (004 §7(4)カ)
    postal_account_name: str = ""  # its 加入者名 (the city's name when empty)
