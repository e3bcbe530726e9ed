"""gunicorn settings for Pairs-API, used by the Procfile, the tests that start a server and
`make bench` (`gunicorn pairsapi.wsgi -c gunicorn.conf.py`). Flags on the command line win.

Threaded workers: a client that sends its headers or body slowly holds one thread, not a whole
worker, so two or eight slow sockets cannot stop /healthz or an alert. Put a buffering reverse
proxy (nginx, a PaaS router) in front as well: it reads slow clients before gunicorn sees them.

Sizing: WEB_CONCURRENCY workers x WEB_THREADS threads serve requests at once, and each thread
may keep a database connection open (CONN_MAX_AGE): 2 x 16 = 32 connections by default, well
under PostgreSQL's default of 100.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "16"))
# A worker that does not check in for this long is restarted; no request of ours takes seconds.
timeout = 30
graceful_timeout = 20
# Idle keep-alive connections wait in the worker's poller, not in a thread.
keepalive = 5
# Request line and header limits stay gunicorn's (4094 bytes per line, 100 headers); bodies are
# capped by the application (MAX_REQUEST_BODY_BYTES).
