"""Security headers on every answer, in one hook (issue 14 §4 "Security headers").

The pages run only the project's own scripts, from /static: htmx, its SSE extension, the
display script and static/js. No inline script, no inline style, no eval (htmx's hx-on, `js:`
values and trigger filters need eval: the htmx-config meta tags set allowEval false, and
includeIndicatorStyles false, since htmx would add an inline <style>). Images may be data: URLs
(the seal comparison's overlay is drawn on the server and sent inline). A PDF gets no policy:
Chromium shows it in a plugin, which `object-src 'none'` would refuse.

Permissions-Policy turns off every device feature a page could ask the browser for: the card
reader, the scanner and the printers are the terminal agent's, never the browser's. The
displays keep autoplay (the chime, through WebAudio) and fullscreen for the kiosk-mode browser;
speech synthesis needs no permission.

`Cache-Control: no-store` on everything but the static assets: pages, fragments, PDFs, images,
exports and the agent API may carry personal data or a secret (a terminal's new token), and a
shared PC's browser cache must keep none of it.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
PERMISSIONS_POLICY = ", ".join((
    "camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()", "serial=()", "hid=()",
    "midi=()", "display-capture=()", "autoplay=(self)", "fullscreen=(self)",
))
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # same-origin: Flask-WTF's CSRF check over HTTPS needs the Referer of our own pages, and a
    # ticket status URL (/t/<code>) is never sent to another site
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
}


def _secure(response: Response) -> Response:
    response.headers.update(HEADERS)
    if response.mimetype != "application/pdf":  # the browser's PDF viewer is a plugin: no object-src 'none'
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_secure)
