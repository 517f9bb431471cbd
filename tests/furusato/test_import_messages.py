"""What an import says of a file it cannot read (issue #14 §4 "Bad input"): the row where a file
pasted together from two encodings changes, a field too long and line endings of CR alone in
Japanese (not the csv module's English), and a file with a header only refused as empty."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.furusato import imports
from app.furusato.models import Donation, ImportBatch

# A row of the ANA layout in ASCII but for a name and an address.
ROW = "Z0000001,2026-04-02 10:00:00,2026-04-03,10000,,入金済,,,山田　花子,,,,東京都港区,,,,,\r\n"
CSV_WORDS = ("field", "limit", "new-line", "unquoted", "newline")


def _refused(batch: ImportBatch, counts) -> str:
    assert batch.status == "refused"
    assert db.session.scalar(select(func.count()).select_from(Donation)) == 0
    message = counts.issues[0].reason
    assert message in batch.message
    assert not any(word in message for word in CSV_WORDS), message
    return message


def test_a_utf8_file_with_a_shift_jis_row_names_that_row(run_file, portal_file, generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "utf-8") + ROW.encode("cp932")
    batch, counts = run_file("ana", data)  # no encoding given: it is detected
    message = _refused(batch, counts)
    assert "ファイルの5行目はShift_JIS（CP932）で書かれていて" in message
    assert "文字コードの違う行が混じっている" in message


def test_a_shift_jis_file_with_a_utf8_row_names_that_row(run_file, portal_file, generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "cp932") + ROW.encode()
    batch, counts = run_file("ana", data)
    assert "ファイルの5行目はUTF-8で書かれていて" in _refused(batch, counts)


def test_a_utf8_row_that_cp932_would_read_as_nonsense_is_not_taken(run_file, portal_file, generator) -> None:
    line = ROW.replace("入金済", "").replace("山田　花子", "山田").encode()
    assert line.decode("cp932") != line.decode()  # 山田 in UTF-8 bytes is 螻ｱ逕ｰ in CP932: no error, only nonsense
    data = portal_file("ana", list(generator.donations(3, bad=0)), "cp932") + line
    batch, counts = run_file("ana", data)
    assert "ファイルの5行目はUTF-8で書かれていて" in _refused(batch, counts)
    assert batch.encoding == "cp932"


def test_a_file_read_in_the_wrong_encoding_says_so_without_calling_it_mixed(run_file, portal_file,
                                                                             generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "cp932")
    batch, counts = run_file("ana", data, encoding="utf-8")
    message = _refused(batch, counts)
    assert "ファイルの1行目がUTF-8として読めません（Shift_JIS（CP932）のようです）" in message
    assert "混じって" not in message


def test_a_field_of_a_megabyte_is_refused_in_japanese_with_its_row(run_file, portal_file, generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "utf-8")
    data += ROW.replace("東京都港区", "東京都港区" + "あ" * 350_000).encode()  # about 1 MB
    batch, counts = run_file("ana", data)
    message = _refused(batch, counts)
    assert message.startswith("5行目に長すぎる項目があります（1項目100,000文字まで）")


def test_line_endings_of_cr_alone_are_refused_in_japanese(run_file, portal_file, generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "utf-8").replace(b"\r\n", b"\r")
    assert b"\n" not in data
    batch, counts = run_file("ana", data)
    assert _refused(batch, counts) == imports.reading.CR_ONLY


def test_a_row_ending_in_cr_alone_inside_a_file_is_refused_in_japanese(run_file, portal_file, generator) -> None:
    data = portal_file("ana", list(generator.donations(3, bad=0)), "utf-8")
    data += ROW.replace("\r\n", "\r").encode() + ROW.replace("Z0000001", "Z0000002").encode()
    batch, counts = run_file("ana", data)
    assert _refused(batch, counts).startswith("5行目に改行コードCRだけの改行があります。")


@pytest.mark.parametrize("tail", [b"", b"\r\n", b"\r\n,,,\r\n\r\n"], ids=["header", "newline", "blank-rows"])
def test_a_file_with_only_its_header_is_refused_as_empty(run_file, portal_file, generator, tail: bytes) -> None:
    header = portal_file("ana", list(generator.donations(1, bad=0)), "utf-8").split(b"\r\n")[0]
    batch, counts = run_file("ana", header + tail)
    assert _refused(batch, counts) == "ファイルが空です（見出し行だけで、取り込む行がありません）。"
    assert batch.rows == 0


def test_an_unreadable_first_line_names_its_row() -> None:
    data = b"a,b\r\n" * 3 + "申込番号,申込日,寄附金額".encode("euc_jp") + b"\r\n"
    with pytest.raises(imports.ImportRefused, match="ファイルの4行目"):
        imports.detect_encoding(io.BytesIO(data))
