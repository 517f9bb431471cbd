"""A small printable document model that travels as plain JSON inside device-job payloads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Literal

Align = Literal["left", "center", "right"]
ALIGNS: tuple[str, ...] = ("left", "center", "right")


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False
    width: int = 1
    height: int = 1
    align: Align = "left"

    type: ClassVar[str] = "text"

    def __post_init__(self) -> None:
        if "\n" in self.text or "\r" in self.text:
            raise ValueError("a text element holds one line; use one element per line")
        for name in ("width", "height"):
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= 8:
                raise ValueError(f"{name} must be an integer from 1 to 8")
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {', '.join(ALIGNS)}")


@dataclass(frozen=True)
class Feed:
    lines: int = 1

    type: ClassVar[str] = "feed"

    def __post_init__(self) -> None:
        if not isinstance(self.lines, int) or not 1 <= self.lines <= 255:
            raise ValueError("lines must be an integer from 1 to 255")


@dataclass(frozen=True)
class Rule:
    char: str = "-"

    type: ClassVar[str] = "rule"

    def __post_init__(self) -> None:
        if self.char not in ("-", "─", "=", "＝"):
            raise ValueError("a rule is drawn with '-', '─', '=' or '＝'")


@dataclass(frozen=True)
class QRCode:
    data: str
    size: int = 6
    align: Align = "center"

    type: ClassVar[str] = "qr"

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a QR code needs data")
        if not isinstance(self.size, int) or not 1 <= self.size <= 16:
            raise ValueError("QR module size must be an integer from 1 to 16")
        if self.align not in ALIGNS:
            raise ValueError(f"align must be one of {', '.join(ALIGNS)}")


@dataclass(frozen=True)
class Cut:
    partial: bool = False

    type: ClassVar[str] = "cut"


@dataclass(frozen=True)
class DrawerKick:
    pin: int = 2

    type: ClassVar[str] = "drawer"

    def __post_init__(self) -> None:
        if self.pin not in (2, 5):
            raise ValueError("the cash drawer is kicked on pin 2 or pin 5")


Element = Text | Feed | Rule | QRCode | Cut | DrawerKick
ELEMENT_TYPES: dict[str, type[Element]] = {
    cls.type: cls for cls in (Text, Feed, Rule, QRCode, Cut, DrawerKick)
}


def element_to_dict(element: Element) -> dict[str, Any]:
    return {"type": element.type, **asdict(element)}


def element_from_dict(data: dict[str, Any]) -> Element:
    if not isinstance(data, dict):
        raise ValueError("each element must be an object")
    kind = data.get("type")
    cls = ELEMENT_TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown element type: {kind!r}")
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known - {"type"}
    if unknown:
        raise ValueError(f"unknown fields for {kind}: {', '.join(sorted(unknown))}")
    try:
        return cls(**{k: v for k, v in data.items() if k != "type"})
    except TypeError as exc:
        raise ValueError(f"bad {kind} element: {exc}") from exc


@dataclass
class Document:
    elements: list[Element] = field(default_factory=list)

    def add(self, *elements: Element) -> Document:
        self.elements.extend(elements)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"elements": [element_to_dict(e) for e in self.elements]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
            raise ValueError("a document is an object with an 'elements' list")
        return cls([element_from_dict(e) for e in data["elements"]])
