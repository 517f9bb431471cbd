"""WSGI entry point of the stream server (issue 12 §6): the same app, served by gunicorn's
gevent worker, so that an open Server-Sent Events stream costs a greenlet, not a thread.

    gunicorn --worker-class gevent --workers 1 --worker-connections 2000 --graceful-timeout 5 \
        --bind 127.0.0.1:8001 wsgi_streams:app

The reverse proxy sends the stream URLs (/displays/<board>/stream) here and everything else to
the threaded server (wsgi:app); the README's "Production" section has both commands. On
PostgreSQL the two processes share events through LISTEN/NOTIFY. SQLite delivers events only
inside one process, so with SQLite this server must serve every URL alone.

gunicorn's gevent worker monkey-patches the standard library before it imports this module, so
psycopg (imported here, through the app) finds `select` patched and waits cooperatively (psycopg
3.1.14 and later); the event listener thread and the streams' queue waits become greenlets.
Imported any other way, the waits would block the whole process: this module refuses to load.

The server listens on 127.0.0.1 behind the proxy, and the client address of a request (the
per-address limit on open streams) is the one the proxy adds to X-Forwarded-For, as for the
other server (create_app trusts it from TRUSTED_PROXIES, the local proxy by default).
"""

from gevent import monkey

if not (monkey.is_module_patched("socket") and monkey.is_module_patched("select")):
    raise RuntimeError("wsgi_streams is served by gunicorn --worker-class gevent (see its docstring)")

import psycopg.waiting  # noqa: E402

from app import create_app  # noqa: E402

if psycopg.waiting.wait is getattr(psycopg.waiting, "wait_c", None):
    raise RuntimeError("psycopg was imported before gevent patched the standard library (preload_app?): "
                       "its waits would block every stream of the process")

app = create_app()
