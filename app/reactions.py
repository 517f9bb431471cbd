"""Cross-domain reactions, in one place: what a domain does when another domain's object
changes. Each row names the registrar of the domain where the change happens, the source it
is about, and the reacting domain's handler; `init_app` (called by create_app) registers them
all, so no service module registers anything at import.

A handler runs inside the transaction of the change: a refusal it raises (a `Refusal`) refuses
the change too. Anything else is a bug, and is a 500 with its log line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from app.counter import issue as counter_issue
from app.register import services as register
from app.seal import certificates as seal_certificates
from app.seal import services as seal

Registrar = Callable[[str, Callable[..., Any]], None]

REACTIONS: tuple[tuple[Registrar, str, Callable[..., Any]], ...] = (
    # register → counter: a bill paid completes its case; a voided payment reopens it (or,
    # refunded, withdraws it); a cancelled bill withdraws it
    (register.on_bill_paid, "case", counter_issue.case_bill_paid),
    (register.on_bill_voided, "case", counter_issue.case_bill_voided),
    (register.on_bill_cancelled, "case", counter_issue.case_bill_cancelled),
    # register → seal: a certificate's fee paid, voided or its bill cancelled
    (register.on_bill_paid, seal_certificates.CERTIFICATE_BILL_SOURCE, seal_certificates.certificate_paid),
    (register.on_bill_voided, seal_certificates.CERTIFICATE_BILL_SOURCE, seal_certificates.certificate_voided),
    (register.on_bill_cancelled, seal_certificates.CERTIFICATE_BILL_SOURCE,
     seal_certificates.certificate_bill_cancelled),
    # counter → seal: a seal case is issued only once city staff approved its application(s)
    (counter_issue.on_issue, "seal_registration", seal.case_issue_problems),
    (counter_issue.on_issue, "seal_abolition", seal.case_issue_problems),
)


def init_app(app: Flask) -> None:
    for subscribe, source, handler in REACTIONS:
        subscribe(source, handler)
