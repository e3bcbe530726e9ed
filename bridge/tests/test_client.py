"""The bridge's HTTP client reads each stream event as soon as it is whole, whatever the server's
framing: gunicorn chunks its answer, Django's runserver (``make run``) does not."""

import socket
import threading
import time

import pytest

from bridge.client import ServiceClient

EVENT = b'id: 7\nevent: signal\ndata: {"rowid": 7, "order_status": "waiting"}\n\n'
OPENING = b"retry: 2000\nid: 6\n: streaming signal changes\n\n"


@pytest.fixture
def unchunked_stream():
    """A server that answers like runserver: no length, no chunks, Connection: close; it sends
    the opening and one event, then holds the connection open."""
    listener = socket.create_server(("127.0.0.1", 0))
    hold = threading.Event()

    def serve():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
            + OPENING
            + EVENT
        )
        hold.wait(10)
        connection.close()

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v3"
    hold.set()
    listener.close()


def test_an_event_is_read_at_once_from_a_server_that_does_not_chunk(unchunked_stream):
    events = ServiceClient(unchunked_stream, "webhook").stream(None)
    started = time.monotonic()
    opening = next(events)
    event = next(events)
    assert time.monotonic() - started < 2  # not held until the connection closes
    assert (opening.event_id, opening.signal) == (6, None)
    assert (event.event_id, event.signal) == (7, {"rowid": 7, "order_status": "waiting"})
