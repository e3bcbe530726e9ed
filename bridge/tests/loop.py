"""Running the whole loop in tests: a service under gunicorn (the ``server`` fixture), alerts
sent to it over HTTP, and a bridge following it on a thread."""

import threading
import time

import requests

from signals.tests.factories import alert


def until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def send(server, **fields):
    answer = requests.post(f"{server.url}/v3/webhook", json=alert(**fields), timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()


class Running:
    """A bridge following the service until closed."""

    def __init__(self, bridge):
        self.stop = threading.Event()
        self.thread = threading.Thread(target=bridge.follow, args=(self.stop,), daemon=True)
        self.thread.start()

    def close(self):
        self.stop.set()
        self.thread.join(10)
