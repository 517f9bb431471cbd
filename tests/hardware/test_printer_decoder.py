from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.printer import (
    Cut,
    Document,
    DrawerKick,
    Feed,
    QRCode,
    Rule,
    Text,
    decode,
    render_bytes,
)
from hardware.printer.decoder import EscPosDecoder, Unknown


def sample() -> Document:
    return Document().add(
        Text("番号札", bold=True, width=2, height=2, align="center"),
        Text("ｶﾀｶﾅ ticket 123"),
        Rule("─"),
        QRCode("T-0042"),
        Feed(1),
        DrawerKick(),
        Cut(),
        Text("二枚目"),
    )


def test_decodes_lines_with_attributes():
    first, second = decode(render_bytes(sample()))
    title = first.lines[0]
    assert (title.text, title.bold, title.width, title.height, title.align) == (
        "番号札", True, 2, 2, "center",
    )
    assert first.lines[1].text == "ｶﾀｶﾅ ticket 123"
    assert first.lines[2].text == "─" * 21
    assert first.qr_codes == ["T-0042"]
    assert first.drawer_kicks == [2]
    assert first.cut
    assert second.text_lines == ["二枚目"]
    assert not second.cut


def test_jis_code_system():
    data = b"\x1c\x43\x00\x1c&" + "窓口".encode("iso2022_jp")[3:-3] + b"\n\x1c."
    assert decode(data)[0].text_lines == ["窓口"]


def test_unknown_commands_are_recorded():
    page = decode(b"\x1b\xff" + b"ok\n" + b"\x07")[0]
    assert page.text_lines == ["ok"]
    assert page.unknown == [b"\x1b\xff", b"\x07"]


def test_truncated_command_is_kept_as_unknown():
    page = decode(b"abc\n\x1dv0\x00\x40\x00\x10\x00\x00")[0]
    assert page.text_lines == ["abc"]
    assert isinstance(page.items[-1], Unknown)


@settings(max_examples=400)
@given(st.binary(max_size=600))
def test_decoder_never_raises(data):
    for page in decode(data):
        for item in page.items:
            assert item is not None


@settings(max_examples=200)
@given(
    st.lists(
        st.sampled_from(
            [b"\x1b", b"\x1d", b"\x1c", b"\x10", b"(k", b"v0", b"\x1c&", b"\x88", b"\x00", b"\n",
             b"\x1dV", b"\xff\xff", b"a"]
        ),
        max_size=80,
    )
)
def test_decoder_never_raises_on_command_soup(parts):
    decode(b"".join(parts))


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=400), max_size=6))
def test_chunked_feed_matches_whole(cuts):
    data = render_bytes(sample())
    decoder = EscPosDecoder()
    start = 0
    for cut in sorted(cuts):
        decoder.feed(data[start:cut])
        start = max(start, cut)
    decoder.feed(data[start:])
    decoder.finish()
    whole = decode(data)
    assert [p.items for p in decoder.all_pages()] == [p.items for p in whole]
