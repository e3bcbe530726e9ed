"""The signal stream and the long poll, in process: the order and filter of changes, what a
rolled-back write leaves (nothing), the credentials, the held-request cap and the bridge's
heartbeat. test_stream_server.py drives them through gunicorn with concurrent writers."""

import time

import pytest
from django.db import connection, transaction

from pairsapi.testing import V3Client, close_stream
from safetynet import middleware
from safetynet.models import BridgeContact
from signals import stream
from signals.changes import changes_after, head
from signals.models import Signal
from signals.selectors import statuses_named
from signals.tests.factories import make_single

pytestmark = pytest.mark.django_db(transaction=True)


def rowids(signals):
    return [s.rowid for s in signals]


def test_changes_come_in_the_order_they_were_made_and_a_status_change_moves_a_signal_on():
    start = head()
    first, second, third = make_single("A"), make_single("B"), make_single("C")
    Signal.objects.filter(pk=first.pk).update(order_status="created")
    changed, cursor = changes_after(start)
    assert rowids(changed) == [second.rowid, third.rowid, first.rowid]
    assert cursor == head()
    Signal.objects.filter(pk=second.pk).update(order_comment="not a status change")
    assert changes_after(cursor) == ([], cursor)
    Signal.objects.filter(pk=third.pk).update(order_status="filled")
    assert rowids(changes_after(cursor)[0]) == [third.rowid]


def test_a_filter_keeps_its_status_and_the_cursor_still_moves():
    start = head()
    waiting = make_single("A")
    rerouted = make_single("B", order_status="rerouted")
    make_single("C", order_status="filled")
    changed, cursor = changes_after(start, statuses_named("waiting"))
    assert rowids(changed) == [waiting.rowid, rerouted.rowid]
    assert cursor == head()


def test_a_rolled_back_write_is_never_read():
    start = head()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_single("GONE")
        raise RuntimeError
    kept = make_single("KEPT")
    changed, _ = changes_after(start)
    assert rowids(changed) == [kept.rowid]


def test_a_save_of_a_stale_copy_does_not_move_the_cursor_back():
    signal = make_single()
    stale = Signal.objects.get(pk=signal.pk)
    Signal.objects.filter(pk=signal.pk).update(order_status="created")
    moved = Signal.objects.get(pk=signal.pk).change_seq
    stale.order_status = "created"
    stale.order_comment = "stale"
    stale.save()
    assert Signal.objects.get(pk=signal.pk).change_seq == moved


def read_events(response, count, seconds=5.0):
    """The first ``count`` signal events of a streaming answer (each as its id and rowid)."""
    import json

    events, deadline, buffer = [], time.monotonic() + seconds, ""
    chunks = iter(response.streaming_content)
    while len(events) < count and time.monotonic() < deadline:
        buffer += next(chunks).decode()
        *complete, buffer = buffer.split("\n\n")
        for block in complete:
            fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
            if fields.get("event") == "signal":
                events.append((int(fields["id"]), json.loads(fields["data"])["rowid"]))
    return events


def test_a_client_resuming_with_last_event_id_gets_what_it_missed_in_order(trader_api):
    make_single("A")
    resume_from = head()
    later = [make_single("B"), make_single("C")]
    response = trader_api.get("/v3/signals/stream", HTTP_LAST_EVENT_ID=str(resume_from))
    try:
        assert response.status_code == 200
        assert response["Content-Type"] == "text/event-stream; charset=utf-8"
        assert response["Cache-Control"] == "no-cache"
        events = read_events(response, 2)
    finally:
        close_stream(response)
    assert [rowid for _, rowid in events] == [s.rowid for s in later]
    assert [event_id for event_id, _ in events] == sorted(event_id for event_id, _ in events)
    assert events[0][0] > resume_from


def test_a_live_stream_sends_a_signal_stored_after_it_opened():
    response = V3Client().get(
        "/v3/signals/stream?status=waiting",
        HTTP_X_PASSPHRASE="webhook",
        HTTP_ACCEPT="text/event-stream",  # as EventSource asks
    )
    try:
        chunks = iter(response.streaming_content)
        assert next(chunks).decode().startswith("retry: 2000\nid: ")
        arrived = make_single("NEW")
        make_single("DONE", order_status="filled")  # filtered out
        events = read_events(response, 1)
    finally:
        close_stream(response)
    assert events[0][1] == arrived.rowid


@pytest.mark.parametrize(
    "headers, query, status, message",
    [
        ({}, "", 401, "an access token is required"),
        ({"HTTP_X_PASSPHRASE": "guess"}, "", 401, "incorrect passphrase."),
        ({"HTTP_X_PASSPHRASE": "webhook", "HTTP_LAST_EVENT_ID": "x"}, "", 400, "Last-Event-ID"),
        ({"HTTP_X_PASSPHRASE": "webhook"}, "?last_event_id=-1", 400, "Last-Event-ID"),
        ({"HTTP_X_PASSPHRASE": "webhook"}, "?status=%3Cscript%3E", 400, "status"),
    ],
)
def test_refusals_are_json_before_any_stream_starts(headers, query, status, message):
    response = V3Client().get(
        f"/v3/signals/stream{query}", HTTP_ACCEPT="text/event-stream", **headers
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert message in str(response.json()["message"])
    assert stream.held.count == 0


def test_a_worker_holds_only_so_many_streams_and_long_polls(settings):
    settings.HELD_REQUESTS_PER_WORKER = 1
    first = V3Client().get("/v3/signals/stream", HTTP_X_PASSPHRASE="webhook")
    try:
        assert first.status_code == 200
        busy = V3Client().get("/v3/signals/stream", HTTP_X_PASSPHRASE="webhook")
        assert busy.status_code == 503 and busy["Retry-After"] == "5"
        assert "streams and long polls" in busy.json()["message"]
        poll = V3Client().get("/v3/signals/status/waiting/0?wait=5", HTTP_X_PASSPHRASE="webhook")
        assert poll.status_code == 503
    finally:
        close_stream(first)
    assert V3Client().get("/v3/signals/status/waiting/0?wait=0").status_code == 200
    assert stream.held.count == 0


def test_a_bridge_following_the_stream_stays_seen(settings, monkeypatch):
    settings.STREAM_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(middleware, "CONTACT_WRITE_INTERVAL", 0)
    response = V3Client().get("/v3/signals/stream", HTTP_X_PASSPHRASE="webhook")
    try:
        opened = BridgeContact.objects.get(route="GET /v3/signals/stream").last_seen
        chunks = iter(response.streaming_content)
        text = ""
        while "heartbeat" not in text:
            text += next(chunks).decode()
    finally:
        close_stream(response)
    assert ": heartbeat\nid: " in text
    assert BridgeContact.objects.get(route="GET /v3/signals/stream").last_seen > opened


def test_a_token_reader_is_not_the_bridge(trader_api):
    close_stream(trader_api.get("/v3/signals/stream"))
    assert not BridgeContact.objects.exists()


def test_the_long_poll_answers_at_once_when_something_waits():
    waiting = make_single()
    started = time.monotonic()
    response = V3Client().get("/v3/signals/status/waiting/0?wait=30")
    assert [s["rowid"] for s in response.json()["signals"]] == [waiting.rowid]
    assert time.monotonic() - started < 5


def test_the_long_poll_gives_the_empty_list_when_its_time_is_up():
    started = time.monotonic()
    response = V3Client().get("/v3/signals/status/waiting/0?wait=1", HTTP_X_PASSPHRASE="webhook")
    assert response.json() == {"signals": []}
    assert time.monotonic() - started >= 1


def test_an_anonymous_long_poll_holds_no_place(settings):
    settings.HELD_REQUESTS_PER_WORKER = 0  # no place to give: an anonymous poll needs none
    for client in (V3Client(), V3Client(HTTP_X_PASSPHRASE="guess")):
        response = client.get("/v3/signals/status/waiting/0?wait=60")
        assert (response.status_code, response.json()) == (200, {"signals": []})


@pytest.mark.parametrize("wait", ["61", "-1", "1.5", "x", "٣"])
def test_a_bad_wait_is_a_400(wait):
    response = V3Client().get(f"/v3/signals/status/waiting/0?wait={wait}")
    assert response.status_code == 400
    assert response.json() == {"message": {"wait": f"'{wait}' is not a whole number from 0 to 60."}}


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL alters tables in place")
def test_sqlite_numbering_triggers_come_back_after_a_migrate_rebuilt_the_table():
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER pairsapi_signal_stored")  # as a table rebuild would
    call_command("migrate", verbosity=0)
    first, second = make_single("A"), make_single("B")
    numbers = [Signal.objects.get(pk=s.pk).change_seq for s in (first, second)]
    assert 0 < numbers[0] < numbers[1]


def test_a_stream_ends_when_its_token_is_revoked(settings, trader):
    from pairsapi.testing import PASSWORD, login

    settings.STREAM_HEARTBEAT_SECONDS = 0.05
    tokens = login(V3Client(), "trader")
    response = V3Client().with_token(tokens["access_token"]).get("/v3/signals/stream")
    try:
        chunks = iter(response.streaming_content)
        assert next(chunks).decode().startswith("retry: 2000")
        trader.set_password(PASSWORD + "-changed")
        trader.save()
        make_single("AFTER")  # not sent: the reader's credential no longer holds
        rest = "".join(chunk.decode() for chunk in chunks)  # the stream ends by itself
    finally:
        close_stream(response)
    assert ": credential revoked" in rest
    assert "AFTER" not in rest and "event: signal" not in rest


def test_a_pages_stream_ends_when_the_password_changes(settings, trader):
    from django.test import Client

    from pairsapi.testing import PASSWORD

    settings.STREAM_HEARTBEAT_SECONDS = 0.05
    browser = Client()
    assert browser.login(username="trader", password=PASSWORD)
    response = browser.get("/live/signals")
    try:
        chunks = iter(response.streaming_content)
        next(chunks)
        trader.set_password(PASSWORD + "-changed")
        trader.save()
        rest = "".join(chunk.decode() for chunk in chunks)
    finally:
        close_stream(response)
    assert ": credential revoked" in rest


def test_no_user_and_no_number_of_tabs_takes_the_bridges_place(settings, trader, staff):
    from django.test import Client

    from pairsapi.testing import PASSWORD, login

    settings.HELD_REQUESTS_PER_WORKER, settings.HELD_FOR_BRIDGE, settings.HELD_PER_USER = 6, 2, 3
    token = V3Client().with_token(login(V3Client(), "trader")["access_token"])
    tabs = Client()
    assert tabs.login(username="boss", password=PASSWORD)
    bridge = V3Client(HTTP_X_PASSPHRASE="webhook")
    opened = []
    try:
        for _ in range(4):  # one user's token: three, then refused
            opened.append(token.get("/v3/signals/stream"))
        assert [r.status_code for r in opened] == [200, 200, 200, 503]
        for _ in range(2):  # another user's tabs: one more, then the bridge's places are left
            opened.append(tabs.get("/live/signals"))
        assert [r.status_code for r in opened[4:]] == [200, 503]
        for _ in range(2):  # the bridge's two
            opened.append(bridge.get("/v3/signals/stream"))
        assert [r.status_code for r in opened[6:]] == [200, 200]
        assert bridge.get("/v3/signals/stream").status_code == 503  # the worker is full
    finally:
        for response in opened:
            close_stream(response)
    assert stream.held.count == 0 and stream.held.by_holder == {}
    # A closed place is free at once.
    again = token.get("/v3/signals/stream")
    close_stream(again)
    assert again.status_code == 200
