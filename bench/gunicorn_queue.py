"""gunicorn settings for serving the queue's Server-Sent Events (issue 4).

Every open display holds one connection and one thread for as long as it is open, so the
threaded worker (gthread) is used with enough threads for all displays, kiosks and counter
pages plus the ordinary requests; a short graceful timeout lets a restart close the streams
(the displays reconnect and catch up from the database). Use it with
`gunicorn -c bench/gunicorn_queue.py wsgi:app` (the benchmark does).
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("YAKUBA_WORKERS", "2"))
threads = int(os.environ.get("YAKUBA_THREADS", "128"))
graceful_timeout = 3
keepalive = 30
timeout = 60
