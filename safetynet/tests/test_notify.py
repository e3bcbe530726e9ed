"""Notifications go out through Apprise (to a JSON endpoint on loopback, started here) and
Django's e-mail; a destination that fails or hangs is retried and logged, and never delays the
others."""

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from pairsapi.testing import free_port, silent_port
from safetynet.notify import AppriseDestination, EmailDestination, Notification, deliver
from safetynet.watch import check_once
from signals.models import Signal
from signals.tests.factories import make_single

NOTE = Notification(
    "Signal #7 waiting for 6 min", "NMFC-0.75*ROIC buy 603: not taken by the bridge"
)


@contextmanager
def json_endpoint():
    """A local HTTP server that records what Apprise's json:// posts to it."""
    received = []
    arrived = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            arrived.set()
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"json://127.0.0.1:{server.server_port}/", received, arrived
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def endpoint_that_never_answers():
    with silent_port() as port:
        yield f"json://127.0.0.1:{port}/"


def closed_port_url():
    return f"json://127.0.0.1:{free_port()}/"


@pytest.fixture
def quick_retries(settings):
    settings.NOTIFY_ATTEMPTS = 3
    settings.NOTIFY_FIRST_RETRY_SECONDS = 0.01
    settings.NOTIFY_DEADLINE_SECONDS = 20
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_notification_reaches_an_apprise_json_endpoint_and_the_mailbox(quick_retries):
    with json_endpoint() as (url, received, _):
        outcomes = deliver(NOTE, [AppriseDestination(url), EmailDestination(["t@example.com"])])
    assert outcomes == [("apprise:json", True), ("e-mail", True)]
    assert (received[0]["title"], received[0]["message"]) == (NOTE.title, NOTE.body)
    assert mail.outbox[0].subject == NOTE.title and mail.outbox[0].to == ["t@example.com"]


def test_a_failing_destination_is_retried_logged_and_leaves_the_others_alone(quick_retries, caplog):
    with json_endpoint() as (url, received, _):
        outcomes = deliver(NOTE, [AppriseDestination(closed_port_url()), AppriseDestination(url)])
    assert [delivered for _, delivered in outcomes] == [False, True]
    assert len(received) == 1
    tries = [r for r in caplog.records if "failed (try" in r.getMessage()]
    assert len(tries) == 3
    assert any("given up" in r.getMessage() for r in caplog.records)


def test_a_hanging_destination_does_not_delay_the_others(quick_retries, settings):
    settings.NOTIFY_ATTEMPTS = 1
    with endpoint_that_never_answers() as silent, json_endpoint() as (url, received, arrived):
        sending = threading.Thread(
            target=deliver, args=(NOTE, [AppriseDestination(silent), AppriseDestination(url)])
        )
        sending.start()
        # The good endpoint hears while the silent one still holds its sender.
        assert arrived.wait(timeout=10)
        assert sending.is_alive()
        sending.join(timeout=30)
    assert len(received) == 1


def test_a_url_apprise_does_not_know_is_a_failure_not_an_error(quick_retries):
    assert deliver(NOTE, [AppriseDestination("nosuchservice://x")]) == [
        ("apprise:nosuchservice", False)
    ]


def test_the_notify_test_command_sends_to_every_configured_destination(quick_retries, settings):
    with json_endpoint() as (url, received, _):
        settings.NOTIFY_URLS = [url]
        settings.NOTIFY_EMAILS = ["ops@example.com"]
        call_command("notify_test")
    assert received[0]["title"] == "Pairs-API test notification"
    assert mail.outbox[0].to == ["ops@example.com"]


def test_the_notify_test_command_says_when_nothing_is_configured(settings):
    settings.NOTIFY_URLS, settings.NOTIFY_EMAILS = [], []
    with pytest.raises(CommandError, match="no destination"):
        call_command("notify_test")


@pytest.mark.django_db
def test_problems_go_out_as_warnings_and_clearances_as_successes(quick_retries):
    start = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    refused = make_single(timestamp=start, order_status="error", status_msg="unknown ticker")
    raised = check_once(start + timedelta(seconds=1))
    Signal.objects.filter(pk=refused.pk).update(order_status="canceled", status_msg="by hand")
    cleared = check_once(start + timedelta(seconds=2))
    with json_endpoint() as (url, received, _):
        deliver(raised, [AppriseDestination(url)])
        deliver(cleared, [AppriseDestination(url)])
    assert [(r["type"], r["title"]) for r in received] == [
        ("warning", "Pairs-API: 1 new problem(s), 0 cleared"),
        ("success", "Pairs-API: 0 new problem(s), 1 cleared"),
    ]
