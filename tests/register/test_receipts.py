"""The receipt as ESC/POS bytes: Japanese lines in Kanji mode (Shift_JIS, not GB18030), the
drawer kick only for cash, 再発行 on reprints; and the device job that carries it."""

from __future__ import annotations

import sqlalchemy as sa

from app.core import services as core_services
from app.demo import DEMO_CITY
from app.devices.models import DeviceJob
from app.extensions import db
from app.register import receipts, services
from hardware.printer import Document, SimulatedPrinter, decode, kanji_line, open_printer, render_bytes
from hardware.printer.render import COLUMNS, display_width
from tests.register.conftest import new_key


def paid(make_bill, register, cashier, method="cash", received=2000):
    core_services.save_municipality(DEMO_CITY)
    bill = make_bill(("resident_record_copy", 2), ("family_register_copy", 1), ("tax_certificate", 1, True))
    payment = services.take_payment(bill.id, register, services.PaymentInput(method, received, new_key()),
                                    cashier).payment
    db.session.commit()
    return payment


def printed(doc: Document) -> tuple[bytes, list[str], list[int]]:
    data = render_bytes(doc, "kanji")
    pages = decode(data)
    assert len(pages) == 1 and pages[0].cut
    return data, pages[0].text_lines, pages[0].drawer_kicks


def test_cash_receipt_decodes_to_the_japanese_lines_and_kicks_the_drawer(make_bill, register, cashier) -> None:
    payment = paid(make_bill, register, cashier)
    data, lines, kicks = printed(receipts.receipt_document(payment))
    text = "\n".join(lines)
    assert lines[0].strip() == "山彦市"
    assert "領　収　書" in lines
    assert f"領収番号 {payment.receipt_no}" in lines
    assert any(line.startswith("令和") and f"{payment.paid_at:%H:%M}" in line for line in lines)
    assert "住民票の写し" in lines and "戸籍謄本・抄本" in lines and "税証明（公用）" in lines
    assert receipts.columns("  300円 × 2通", "600円") in lines
    assert receipts.columns("  1通 公用のため無料", "0円") in lines
    assert receipts.columns("合計", "1,050円") in lines
    assert receipts.columns("お預かり", "2,000円") in lines
    assert receipts.columns("お釣り", "950円") in lines
    assert "取扱者 会計 花子" in lines and receipts.TAX_NOTE in lines
    assert "再発行" not in text
    assert kicks == [2]
    assert kanji_line("領　収　書") in data  # FS C 1, FS &, cp932 bytes, FS .
    assert "領収".encode("gb18030") not in data and "領収".encode("cp932") in data


def test_cashless_receipt_names_the_method_and_keeps_the_drawer_shut(make_bill, register, cashier) -> None:
    payment = paid(make_bill, register, cashier, method="e_money")
    _, lines, kicks = printed(receipts.receipt_document(payment))
    assert receipts.columns("お支払方法", "電子マネー") in lines
    assert not any(line.startswith("お預かり") for line in lines)
    assert kicks == []


def test_a_reprint_is_marked_and_does_not_open_the_drawer(make_bill, register, cashier) -> None:
    payment = paid(make_bill, register, cashier)
    _, lines, kicks = printed(receipts.receipt_document(payment, reissue=True))
    assert "【再発行】" in [line.strip() for line in lines] and kicks == []
    job = receipts.print_receipt(payment, register, reissue=True)
    db.session.commit()
    assert job.summary.startswith("領収書（再発行）")


def test_receipt_goes_to_the_register_printer_as_a_job(make_bill, register, cashier) -> None:
    payment = paid(make_bill, register, cashier)
    job = receipts.print_receipt(payment, register, cashier)
    db.session.commit()
    stored = db.session.scalar(sa.select(DeviceJob))
    assert stored.id == job.id and (stored.terminal_id, stored.device, stored.kind) == (register.id, "printer", "print")
    assert Document.from_dict(stored.payload["document"]) == receipts.receipt_document(payment)


def test_void_slip_shows_the_refund_and_kicks_the_drawer(make_bill, register, cashier, staff) -> None:
    payment = paid(make_bill, register, cashier)
    request = services.request_void(payment, register, cashier, "請求誤り")
    reversal = services.approve_void(request, staff("supervisor", display_name="統括 一郎"))
    db.session.commit()
    _, lines, kicks = printed(receipts.void_document(reversal))
    assert f"取消対象 領収番号 {payment.receipt_no}" in lines
    assert receipts.columns("返金額", "1,050円") in lines
    assert receipts.columns("  300円 × 2通", "-600円") in lines
    assert "理由 請求誤り" in lines and "承認者 統括 一郎" in lines
    assert kicks == [2]


def test_a_register_without_a_printer_is_reported(make_bill, cashier, make_register) -> None:
    from app.devices import services as device_services

    bare, _ = device_services.create_terminal(device_services.NewTerminal("register-bare", "プリンタなしレジ",
                                                                          "register"))
    bill = make_bill()
    payment = services.take_payment(bill.id, bare, services.PaymentInput("cash", 300, new_key()), cashier).payment
    try:
        receipts.print_receipt(payment, bare)
    except receipts.PrintError as exc:
        assert "printer" in exc.message
    else:
        raise AssertionError("a receipt was queued for a register without a printer")


def test_long_labels_are_cut_to_one_printed_line() -> None:
    assert receipts.fit("あ" * 30) == "あ" * 21
    assert receipts.fit("abc") == "abc"


def test_a_reprint_of_a_voided_payment_is_marked_and_acknowledges_nothing(make_bill, register, cashier,
                                                                          staff) -> None:
    payment = paid(make_bill, register, cashier)
    request = services.request_void(payment, register, cashier, "請求誤り")
    reversal = services.approve_void(request, staff("supervisor", display_name="統括 一郎"))
    db.session.commit()
    job = receipts.print_receipt(payment, register, reissue=True)
    db.session.commit()
    data, lines, kicks = printed(Document.from_dict(job.payload["document"]))
    stripped = [line.strip() for line in lines]
    assert "【再発行】" in stripped and "【取消済】" in stripped and kicks == []
    assert "上記の金額を領収しました。" not in lines
    assert "この領収は取り消されています。" in lines
    assert any(line.startswith("取消日時 令和") and f"{reversal.paid_at:%H:%M}" in line for line in lines)
    assert receipts.columns("取消額", "1,050円") in lines and "理由 請求誤り" in lines
    assert kanji_line("【取消済】") in data
    assert job.summary.startswith("領収書（再発行）（取消済）")


def test_the_addressee_is_printed_as_sama_on_the_receipt_and_its_reprint(make_bill, register, cashier) -> None:
    """宛名 (issue 15 §2): the name the visitor gives is stored with the payment and printed as
    「〇〇 様」, in Kanji mode, on the receipt and every reprint, through the simulated printer."""
    core_services.save_municipality(DEMO_CITY)
    bill = make_bill(("resident_record_copy", 1))
    payment = services.take_payment(bill.id, register, services.PaymentInput(
        "cash", 300, new_key(), addressee="  山彦商事　株式会社 "), cashier).payment
    db.session.commit()
    assert payment.addressee == "山彦商事 株式会社"
    first = receipts.print_receipt(payment, register, cashier)
    again = receipts.print_receipt(payment, register, cashier, reissue=True)
    db.session.commit()
    with SimulatedPrinter("addressee") as sim:
        printer = open_printer(sim.url + "?mode=kanji")
        for job in (first, again):
            printer.print_document(Document.from_dict(job.payload["document"]))
        printer.close()
        pages = sim.wait_for_pages(2)
        data = sim.received
    for page in pages:
        assert "山彦商事 株式会社 様" in page.text_lines
        assert page.text_lines.index("山彦商事 株式会社 様") < page.text_lines.index(f"領収番号 {payment.receipt_no}")
    assert "【再発行】" in [line.strip() for line in pages[1].text_lines]
    assert data.count("山彦商事".encode("cp932")) == 2


def test_no_addressee_prints_no_sama_line_and_a_long_one_keeps_its_honorific(make_bill, register, cashier) -> None:
    payment = paid(make_bill, register, cashier)
    _, lines, _ = printed(receipts.receipt_document(payment))
    assert not any(line.endswith(" 様") for line in lines)
    long = receipts.addressee_line("株式会社" * 20)
    assert long.endswith(" 様") and display_width(long) <= COLUMNS
