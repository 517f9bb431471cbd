"""Input that no page accepts is refused before any view reads it (issue 14 §4 "Bad input").

PostgreSQL refuses a NUL character in text ("A string literal cannot contain NUL"), so a NUL in
a path (/t/%00), a query, a form field, an uploaded file's name, the agent's JSON or a forwarded
client address would reach the database and end as a 500. No page has a use for it: one hook
answers 400 with a Japanese page instead.

Over-long values are the forms' business (a Length validator per field, as long as its column;
an IntegerField's range, app.web.forms.in_integer_range); an id in a path (<int:case_id>) above
what PostgreSQL's integer holds matches no page: a 404, not a 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter, Map

from app.web.errors import error_page
from app.web.forms import INTEGER_MAX

NUL = "\x00"
REFUSED = ("使用できない文字が含まれています",
           "入力やアドレスに制御文字（NUL）が含まれているため、受け付けられません。"
           "入力内容を確認して、もう一度お試しください。")


def _texts(value: Any) -> Iterable[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _request_texts() -> Iterable[str]:
    yield request.path
    yield request.remote_addr or ""  # the audit log keeps it; behind a proxy, a header sets it
    for pairs in (request.args, request.form):
        for key, value in pairs.items(multi=True):
            yield key
            yield value
    for key, upload in request.files.items(multi=True):
        yield key
        yield upload.filename or ""
    if request.is_json:
        yield from _texts(request.get_json(silent=True))


def refuse_nul() -> tuple[str, int] | None:
    """before_request hook."""
    if any(NUL in text for text in _request_texts()):
        return error_page(400, *REFUSED)
    return None


class RowId(IntegerConverter):
    """<int:...> up to PostgreSQL's integer."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INTEGER_MAX)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Before the blueprints: their rules take the converter when they are added."""
    app.url_map.converters["int"] = RowId
    app.before_request(refuse_nul)
