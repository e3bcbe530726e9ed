"""Helpers shared by the test modules of every app."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import requests
from django.contrib.auth import get_user_model
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import get_resolver
from rest_framework.test import APIClient

PASSWORD = "s3cret-pass"


def close_stream(response):
    """Close a streaming answer of the test client as a server does when the client leaves (its
    held place is given back), keeping the test's database connection open as the client does."""
    if not getattr(response, "streaming", False):
        return
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def statement_kinds(queries):
    """The first keyword of each captured statement (INSERT, SELECT...). On PostgreSQL a write
    travels behind the audit trail's ``SELECT set_config(...);``, which is not counted."""
    return [q["sql"].split("; ")[-1].split()[0].upper() for q in queries.captured_queries]


def make_user(username, staff=False):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=staff, is_superuser=staff
    )


def login(client, username, password=PASSWORD, **extra):
    response = client.post(
        "/v3/login", {"username": username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


class V3Client(APIClient):
    """APIClient that sends JSON and can carry a bearer token."""

    def with_token(self, token):
        self.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return self

    def anonymous(self):
        self.credentials()
        return self

    def send(self, method, path, body=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return self.generic(method, path, data=data or "", content_type=content_type)


def v3_routes():
    """Every /v3/ route as (pattern, methods): ``("signal/<str:rowid>", ["get", "delete"])``,
    the catch-all left out. Methods are the viewset's mapped actions (GET for other views; HEAD
    goes with GET)."""
    v3 = next(p for p in get_resolver().url_patterns if str(p.pattern) == "v3/")
    routes = []
    for included in v3.url_patterns:
        for pattern in getattr(included, "url_patterns", [included]):
            route = str(pattern.pattern)
            if route.startswith("^"):
                continue
            actions = getattr(pattern.callback, "actions", None)
            methods = sorted(m for m in actions if m != "head") if actions else ["get"]
            routes.append((route, methods))
    return routes


# Path parameters that name something the tests create (or that plainly does not exist).
PATH_SAMPLES = {
    "number_of_items": "0",
    "rowid": "1",
    "symbol": "AAPL",
    "name": "A-B",
    "ticker": "AAPL",
    "order_status": "waiting",
    "username": "boss",
}


def v3_path(route, **values):
    """``/v3/<route>`` with its ``<str:name>`` parameters filled from PATH_SAMPLES or ``values``."""
    samples = {**PATH_SAMPLES, **values}
    return "/v3/" + re.sub(r"<str:(\w+)>", lambda m: str(samples[m[1]]), route)


def free_port():
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def silent_port():
    """A loopback port that accepts connections and never answers: the kernel completes the
    handshake for the listening socket, and nobody reads."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(128)
        yield silent.getsockname()[1]


def database_url_of(connection):
    """A DATABASE_URL naming the database the test run is using (the test database)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = quote(s.get("USER") or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = s.get("HOST") or "127.0.0.1"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{s['NAME']}"


class ServerProcess:
    """gunicorn serving this project on a free loopback port, as a real separate process."""

    def __init__(self, database_url, workers=1, env=None, port=None, print_log=True):
        self.print_log = print_log
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.workers = workers
        self.env = env or {}
        self.process = None

    def start(self, timeout=30):
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            **self.env,
        }
        # A file, not a pipe: nobody reads the log while the server runs, and a full pipe would
        # stall every worker on its next log line.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "pairsapi.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--graceful-timeout",
                "5",
            ],
            cwd=str(Path(__file__).resolve().parent.parent),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.output()}")
            try:
                requests.get(f"{self.url}/v3/tickers/1", timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer in time")

    def output(self):
        """What the server logged so far."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self.print_log:  # pytest shows it only when the test failed
            print(f"--- gunicorn log ---\n{self.output()[-5000:]}")
