"""Access logs without query strings (issue 14 §4): searches for people go by GET (a name, a
kana reading, an address, a phone in the URL), so a logged query string is personal data in a
log. Every access-log line, of werkzeug's server (`make run`) and of gunicorn's when it writes one
(`--access-logfile`), keeps the method, the path and the status and drops what follows `?`,
in the request line and in the referrer alike. One filter for every route: a new search needs
nothing of its own."""

from __future__ import annotations

import logging
import re

from flask import Flask

ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")
QUERY = re.compile(r"\?[^\s\"']*")


class WithoutQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = QUERY.sub("", message), ()
        return True


def init_app(app: Flask) -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, WithoutQueryStrings) for f in logger.filters):
            logger.addFilter(WithoutQueryStrings())
