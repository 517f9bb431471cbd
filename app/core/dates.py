"""Time helpers: the office works in Japan Standard Time, the database stores naive JST."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

JST = timezone(timedelta(hours=9), "JST")


def now() -> datetime:
    """The current time in JST as a naive datetime (the form every timestamp column holds)."""
    return datetime.now(JST).replace(tzinfo=None)


def today() -> date:
    return now().date()


ERAS = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
    (date(1868, 10, 23), "明治"),
)


def wareki(day: date) -> str:
    """A date in the Japanese era style used on documents, e.g. 令和8年4月1日 (元年 for year 1)."""
    for start, name in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def fiscal_year(day: date) -> int:
    """The Japanese fiscal year (April to March) that a day belongs to, by its starting year."""
    return day.year if day.month >= 4 else day.year - 1
