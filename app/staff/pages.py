"""What the staff domain's pages share: the programme of the URL, the object of the URL, and
papers sent without a cache."""

from __future__ import annotations

from typing import TypeVar

from flask import Response, abort, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.staff.programmes import Programme, reaches

T = TypeVar("T")
READERS = ("supervisor", "city_staff", "admin")


def programme_or_404(programme: str) -> str:
    """The programme of the URL, if the user reaches it (another programme's data is not
    shown, not even that it exists)."""
    if not Programme.has(programme):
        abort(404)
    if not reaches(current_user, programme):
        abort(403)
    return programme


def found(obj: T | None) -> T:
    """The object of the URL: 404 when there is none, 403 when it is another programme's."""
    if obj is None:
        abort(404)
    programme_or_404(obj.programme)  # type: ignore[attr-defined]
    return obj


def send(data: bytes, mimetype: str, filename: str, *, inline: bool = True) -> Response:
    """A paper with personal data: not kept by the browser's cache."""
    response = Response(data, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{ascii_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def my_programmes() -> list[str]:
    return [p.value for p in Programme if reaches(current_user, p)]


def choose(endpoint: str) -> BaseResponse | str:
    """The page of the user's programme, or a choice when they reach both (an administrator)."""
    programmes = my_programmes()
    if len(programmes) == 1:
        return redirect(url_for(endpoint, programme=programmes[0]))
    return render_template("staff/choose.html", programmes=[Programme(p) for p in programmes], endpoint=endpoint)
