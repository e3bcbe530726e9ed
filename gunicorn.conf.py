"""gunicorn settings for Pairs-API, used by the Procfile, the tests that start a server and
`make bench` (`gunicorn pairsapi.wsgi -c gunicorn.conf.py`). Flags on the command line win.

Threaded workers: a client that sends its headers or body slowly holds one thread, not a whole
worker, so two or eight slow sockets cannot stop /healthz or an alert. Put a buffering reverse
proxy (nginx, a PaaS router) in front as well: it reads slow clients before gunicorn sees them.

Sizing: WEB_CONCURRENCY workers x WEB_THREADS threads serve requests at once, and each thread
may keep a database connection open (CONN_MAX_AGE): 2 x 16 = 32 connections by default, well
under PostgreSQL's default of 100, plus one LISTEN connection per worker for the signal stream.
A signal stream or a long poll holds its thread while it is open, so a worker holds at most
HELD_REQUESTS_PER_WORKER of them (default: half its threads) and answers 503 past that: the
other half stays free for alerts, fills and pages. Size WEB_THREADS for the streams you expect
(each console tab and each bridge holds one).
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


def post_worker_init(worker):
    """On a graceful stop (SIGTERM), end the signal streams and long polls this worker holds:
    their clients reconnect to another worker (with Last-Event-ID) instead of holding the stop
    up for graceful_timeout."""
    import signal

    from signals.stream import close_all_streams

    stop_worker = signal.getsignal(signal.SIGTERM)

    def stop_streams_then_worker(signum, frame):
        close_all_streams()
        stop_worker(signum, frame)

    signal.signal(signal.SIGTERM, stop_streams_then_worker)
