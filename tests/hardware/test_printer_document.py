import json

import pytest

from hardware.printer import Cut, Document, DrawerKick, Feed, QRCode, Rule, Text


def receipt() -> Document:
    return Document().add(
        Text("領収書", bold=True, width=2, height=2, align="center"),
        Rule("─"),
        Text("住民票の写し　1通　300円"),
        Feed(2),
        QRCode("https://example.jp/r/1", size=5),
        DrawerKick(),
        Cut(partial=True),
    )


def test_round_trip_through_json():
    doc = receipt()
    assert Document.from_dict(json.loads(json.dumps(doc.to_dict()))) == doc


def test_dict_form_is_plain():
    assert receipt().to_dict()["elements"][0] == {
        "type": "text",
        "text": "領収書",
        "bold": True,
        "width": 2,
        "height": 2,
        "align": "center",
    }


@pytest.mark.parametrize(
    "element",
    [
        {"type": "nope"},
        {"type": "text"},
        {"type": "text", "text": "a", "colour": "red"},
        {"type": "text", "text": "a", "width": 9},
        {"type": "text", "text": "a\nb"},
        {"type": "text", "text": "a", "align": "justify"},
        {"type": "qr", "data": ""},
        {"type": "drawer", "pin": 3},
        {"type": "feed", "lines": 0},
        "text",
    ],
)
def test_bad_elements_are_refused(element):
    with pytest.raises(ValueError):
        Document.from_dict({"elements": [element]})


def test_document_needs_an_elements_list():
    with pytest.raises(ValueError):
        Document.from_dict({"elements": "x"})
