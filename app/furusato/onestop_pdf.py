"""The one-stop pages of an envelope (004 §7(4)イ(イ)–(エ)) and the postal transfer slip
(004 §7(4)カ), drawn on the certificate batch's canvas (app/furusato/certificate_pdf.py).

寄附金税額控除に係る申告特例申請書: 地方税法施行規則 様式第五十五号の五, one per donation (the
donor sends one per donation, even to the same city). The layout follows the national form as
cities publish it: the year of the donation and 市町村民税・道府県民税 at the top, the addressee,
the applicant (住所, 電話番号, フリガナ, 氏名, 個人番号 in 12 boxes, 性別, 生年月日), then
「1.当団体に対する寄附に関する事項」 (寄附年月日, 寄附金額) and 「2.申告の特例の適用に関する事項」
with the two check boxes, and the notes (read from copies cities publish; those older copies
have a 印 box, which the form as revised since has not: no 印 box here, to be checked against the
current 様式 before the first run).
What the city knows is pre-filled; the individual number is NEVER printed: its boxes stay
empty for the donor to fill in, and the check boxes are the donor's statements, left empty too.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.core.pdf import GOTHIC, GOTHIC_BOLD, MINCHO, document_date
from app.furusato.envelopes import CertificateLine, Envelope, Issuer, Recipient

if TYPE_CHECKING:
    from app.furusato.certificate_pdf import Sheet

A4_WIDTH = 210.0
ONE_STOP_DEADLINE = "寄附をした翌年の1月10日（必着）"
NOTICE_1 = ("（注1）上記に記載した内容に変更があった場合、申告特例対象年の翌年の1月10日までに、"
            "申告特例申請事項変更届出書を提出してください。")
NOTICE_2 = ("（注2）申告の特例の適用を受けるために申請を行った者が、地方税法附則第7条第6項（第13項）各号の"
            "いずれかに該当する場合には、申告特例対象年に支出した全ての寄附金について申告の特例の適用は"
            "受けられなくなります。その場合に寄附金税額控除の適用を受けるためには、当該寄附金税額控除に"
            "関する事項を記載した確定申告書又は市町村民税・道府県民税の申告書を提出してください。")
INTRO = ("あなたが支出した地方団体に対する寄附金について、地方税法附則第7条第1項（第8項）の規定による"
         "寄附金税額控除に係る申告の特例（以下「申告の特例」という。）の適用を受けようとするときは、"
         "下の欄に必要な事項を記載してください。")
CHECK_1 = "① 地方税法附則第7条第1項（第8項）に規定する申告特例対象寄附者である"
CHECK_1_NOTE = ("（注）申告特例対象寄附者とは、(1) 寄附金を支出する年の年分の所得税について確定申告書を提出する"
                "義務がない者又は所得税法第121条（第1項ただし書を除く。）の規定の適用を受ける者、かつ、"
                "(2) 翌年度分の市町村民税・道府県民税について、寄附金税額控除を受ける目的以外に申告書の提出を"
                "要しない者と見込まれる者をいいます。")
CHECK_2 = ("② 地方税法附則第7条第2項（第9項）に規定する要件に該当する者（申告特例対象年に支出した特例控除"
           "対象寄附金の相手方が5以下の地方団体であると見込まれる者）である")


def _era_year(day: date) -> str:
    text = document_date(day)
    return text[: text.index("年") + 1]


def _boxes(sheet: Sheet, x: float, y: float, n: int, w: float, h: float) -> None:
    for i in range(n):
        sheet.rect(x + i * w, y, w, h, 0.5)


def application(sheet: Sheet, recipient: Recipient, line: CertificateLine, issuer: Issuer,
                example: bool = False) -> None:
    """One 申告特例申請書 pre-filled for one donation (or, with `example`, the 記載例's form)."""
    sheet.text(20, 16, f"{_era_year(line.paid_on)}寄附分　市町村民税・道府県民税", MINCHO, 10)
    sheet.text(190, 16, "様式第五十五号の五", MINCHO, 8, "right")
    sheet.text(A4_WIDTH / 2, 28, "寄附金税額控除に係る申告特例申請書", MINCHO, 16, "center")
    sheet.text(190, 38, "令和　　年　　月　　日", MINCHO, 10.5, "right")
    sheet.text(20, 44, f"{issuer.city_name}長　殿", MINCHO, 12)
    sheet.text(150, 44, "整理番号", GOTHIC, 8)
    sheet.rect(165, 40, 25, 6, 0.4)
    top, label_w = 50.0, 30.0
    rows = [("住所", 18.0), ("電話番号", 8.0), ("フリガナ", 7.0), ("氏名", 12.0), ("個人番号", 10.0),
            ("性別・生年月日", 10.0)]
    y = top
    for label, h in rows:
        sheet.rect(20, y, label_w, h, 0.6)
        sheet.rect(20 + label_w, y, 170 - label_w, h, 0.6)
        sheet.text(23, y + h / 2 + 1.3, label, GOTHIC, 9)
        y += h
    x = 20 + label_w + 3
    sheet.text(x, top + 5, f"〒{recipient.postal_code[:3]}-{recipient.postal_code[3:]}", MINCHO, 10)
    sheet.lines(x, top + 11, recipient.address, 134, MINCHO, 10, 1.3)
    sheet.text(x, top + 18 + 5.5, recipient.phone, MINCHO, 10)
    sheet.fitted(x, top + 26 + 5, recipient.kana, 134, MINCHO, 9, 6)
    sheet.fitted(x, top + 33 + 8, recipient.name, 134, MINCHO, 13, 8)
    _boxes(sheet, x, top + 45 + 1.5, 12, 8.5, 7)  # 個人番号: 12 empty boxes, never filled by the city
    gy = top + 55 + 6.5
    sheet.text(x, gy, "男 ・ 女", MINCHO, 10)
    birth = recipient.birth_date
    era = "明・大・昭・平・令"
    sheet.text(x + 25, gy, f"{era}　{document_date(birth) if birth else '　　年　　月　　日'}", MINCHO, 10)
    _donation(sheet, y + 4, line, example)


def _donation(sheet: Sheet, y: float, line: CertificateLine, example: bool) -> None:
    """The notes, 「1.当団体に対する寄附に関する事項」 and 「2.申告の特例の適用に関する事項」."""
    y = sheet.lines(20, y, INTRO, 170, MINCHO, 8.5, 1.45)
    y = sheet.lines(20, y + 1, NOTICE_1, 170, MINCHO, 7.5, 1.4)
    y = sheet.lines(20, y + 1, NOTICE_2, 170, MINCHO, 7.5, 1.4)
    y += 3
    sheet.text(20, y + 4, "1.当団体に対する寄附に関する事項", GOTHIC_BOLD, 10)
    y += 6
    sheet.rect(20, y, 30, 10)
    sheet.rect(50, y, 55, 10)
    sheet.rect(105, y, 30, 10)
    sheet.rect(135, y, 55, 10)
    sheet.text(23, y + 6.5, "寄附年月日", GOTHIC, 9)
    sheet.text(53, y + 6.5, document_date(line.paid_on), MINCHO, 10.5)
    sheet.text(108, y + 6.5, "寄附金額", GOTHIC, 9)
    sheet.text(186, y + 6.5, f"{line.amount:,} 円", MINCHO, 11, "right")
    y += 17
    sheet.text(20, y, "2.申告の特例の適用に関する事項", GOTHIC_BOLD, 10)
    y = sheet.lines(20, y + 6, "申告の特例の適用を受けるための申請は、①及び②に該当する場合のみすることができます。"
                    "①及び②に該当する場合、それぞれ下の欄の□にチェックをしてください。", 170, MINCHO, 8.5, 1.45)
    for text, note in ((CHECK_1, CHECK_1_NOTE), (CHECK_2, "")):
        end = sheet.lines(23, y + 5, text, 150, MINCHO, 9, 1.45)
        if note:
            end = sheet.lines(25, end, note, 145, MINCHO, 7.5, 1.4)
        sheet.rect(20, y, 170, end - y - 1.5)
        sheet.rect(178, y + 2, 6, 6, 0.7)
        if example:
            sheet.text(181, y + 6.8, "✓", GOTHIC_BOLD, 12, "center")
        y = end + 1.5
    if line.order_id:
        sheet.text(20, 285, f"受付番号 {line.order_id}", GOTHIC, 7)


def example_page(sheet: Sheet, envelope: Envelope, issuer: Issuer) -> None:
    """記載例 (004 §7(4)イ(ウ)) and the note on the return envelope (イ(エ)): a filled-in form of a
    made-up person with what the donor must add, and where to send it."""
    line = CertificateLine(fiscal_year=envelope.certificates[0].fiscal_year, number=0, amount=10000,
                           paid_on=envelope.certificates[0].paid_on, applied_on=envelope.certificates[0].paid_on)
    sample = Recipient(name="寄附　太郎", postal_code="1000001", address="東京都千代田区千代田1番1号",
                       kana="キフ　タロウ", phone="03-0000-0000", birth_date=date(1980, 4, 1))
    sheet.c.saveState()
    application(sheet, sample, line, issuer, example=True)
    sheet.c.restoreState()
    sheet.c.setFillColorRGB(0.8, 0.1, 0.1)
    sheet.text(105, 12, "記載例", GOTHIC_BOLD, 20, "center")
    for x, y, text in ((118, 34, "提出する日を記入 →"), (160, 102, "← 12桁を記入")):
        sheet.text(x, y, text, GOTHIC_BOLD, 8.5)
    sheet.c.setFillColorRGB(0, 0, 0)
    guide = ("【記入のしかた】提出する日、個人番号（マイナンバー）12桁、性別を記入し、生年月日・住所・氏名を"
             "確かめてください（誤りは二重線で訂正）。①②に該当する場合は□にチェックしてください。\n"
             "【返信用封筒在中】個人番号確認書類と本人確認書類の写し（マイナンバーカードの場合は表裏両面の写し）"
             f"を添えて、同封の返信用封筒で{ONE_STOP_DEADLINE}までにお送りください。"
             f"送付先・問い合わせ先：{issuer.city_name}　{issuer.office_name}　電話 {issuer.office_phone}")
    end = sheet.lines(18, 252, guide, 172, GOTHIC, 8.5, 1.45)
    sheet.rect(15, 246, 180, end - 246, 0.8)


def pages(sheet: Sheet, envelope: Envelope, issuer: Issuer) -> int:
    """The application for each donation, then one 記載例; returns the pages drawn."""
    for line in envelope.certificates:
        application(sheet, envelope.recipient, line, issuer)
        sheet.c.showPage()
    example_page(sheet, envelope, issuer)
    sheet.c.showPage()
    return len(envelope.certificates) + 1


def transfer_slip(sheet: Sheet, envelope: Envelope, issuer: Issuer) -> None:
    """The donor's part of a 払込取扱票 (004 §7(4)カ). It needs the ゆうちょ銀行's pre-printed
    払込取扱票 paper (A4, the slip in the bottom third, printed under the bank's 印刷承認); this
    page prints the fields only, at their places on that paper, and the guide text above it."""
    recipient = envelope.recipient
    amount = envelope.unpaid_amount or envelope.total
    sheet.text(A4_WIDTH / 2, 30, "郵便振替によるお支払いのご案内", GOTHIC_BOLD, 15, "center")
    sheet.lines(25, 45, f"{recipient.name}様\nこのたびは{issuer.city_name}のふるさと納税にお申し込みいただき、"
                f"ありがとうございます。下の払込取扱票で、寄附金 {amount:,} 円を郵便局（ゆうちょ銀行）の窓口又は"
                "ATMでお払い込みください。受領証は、払込みの証明としてお手元に"
                "保管してください（寄附金受領証明書は、入金を確認した後にお送りします）。", 160, MINCHO, 10.5, 1.7)
    top = 198.0  # the slip occupies the bottom third of the pre-printed sheet
    sheet.c.setDash(1, 2)
    sheet.line(0, top, A4_WIDTH, top, 0.3)
    sheet.c.setDash()
    sheet.text(15, top + 10, "口座番号", GOTHIC, 7)
    sheet.text(15, top + 16, issuer.postal_account, MINCHO, 11)
    sheet.text(15, top + 24, "加入者名", GOTHIC, 7)
    sheet.text(15, top + 30, issuer.postal_account_name or issuer.city_name, MINCHO, 11)
    sheet.text(75, top + 10, "金額", GOTHIC, 7)
    digits = f"{amount:>8}"
    for i, ch in enumerate(digits):
        sheet.text(78 + i * 6 + 3, top + 17, ch.strip(), MINCHO, 13, "center")
    sheet.text(15, top + 42, "ご依頼人（おところ・おなまえ）", GOTHIC, 7)
    sheet.text(15, top + 48, f"〒{recipient.postal_code[:3]}-{recipient.postal_code[3:]}", MINCHO, 9.5)
    sheet.lines(15, top + 54, recipient.address, 80, MINCHO, 9.5, 1.3)
    sheet.text(15, top + 72, f"{recipient.name}　様", MINCHO, 12)
    if recipient.phone:
        sheet.text(15, top + 78, f"電話 {recipient.phone}", MINCHO, 9)
    sheet.text(120, top + 42, "通信欄", GOTHIC, 7)
    sheet.lines(120, top + 48, f"{issuer.city_name}ふるさと納税　寄附金", 70, MINCHO, 9.5)
