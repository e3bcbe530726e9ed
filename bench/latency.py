"""`make bench`, the latency run: 1,000 alerts at 20 per second into gunicorn (2 workers) with a
stream subscriber and the paper bridge, then once more into two separate app servers sharing one
PostgreSQL (alerts into one, subscriber and bridge on the other). Prints p50 and p99 from each
webhook's 201 to its event at the subscriber, and to its paper fill stored; then the webhook's
throughput with the stream's NOTIFY trigger on over off. Exit status 1 when a target is missed.
"""

import json
import statistics
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import requests
from common import ensure_wrk, fresh_database, psql, server_env, wrk

ALERTS = 1000
PER_SECOND = 20
ROUNDS = 4
TARGETS = {"subscriber p99": 50.0, "fill p99": 250.0}


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Subscriber(threading.Thread):
    """Follows the stream; notes when each alert (by its comment) arrived."""

    def __init__(self, base):
        super().__init__(daemon=True)
        self.base, self.arrived, self.ready = base, {}, threading.Event()

    def close(self):
        self.response.close()

    def run(self):
        self.response = response = requests.get(
            f"{self.base}/v3/signals/stream?status=waiting",
            headers={"X-Passphrase": "webhook", "Accept": "text/event-stream"},
            stream=True,
            timeout=(5, 120),
        )
        try:
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("retry:"):
                    self.ready.set()
                if line.startswith("data: "):
                    comment = json.loads(line[6:])["order_comment"]
                    self.arrived.setdefault(comment, time.monotonic())
        except (requests.RequestException, AttributeError):
            pass  # closed when the run is over


class AlwaysOpen:
    """The bench runs at any hour: the paper broker's exchange hours are not what it times."""

    def refusal(self, moment, extended):
        return ""


def start_bridge(base, book):
    from bridge.brokers.paper import PaperBroker
    from bridge.client import ServiceClient
    from bridge.engine import Bridge

    client = ServiceClient(f"{base}/v3", "webhook")
    broker = PaperBroker(book, slippage=0.0005, hours=AlwaysOpen())
    filled = {}  # order id -> when its fill was stored
    report_fill = client.report_fill

    def timed_report_fill(**fill):
        answer = report_fill(**fill)
        if answer["order_status"] == "filled":
            filled.setdefault(answer["order_comment"], time.monotonic())
        return answer

    client.report_fill = timed_report_fill
    stop = threading.Event()
    follower = threading.Thread(target=Bridge(client, broker).follow, args=(stop,), daemon=True)
    follower.start()

    def stopped():
        stop.set()
        follower.join(30)  # its book is in a folder about to go

    return stopped, filled


def send_alerts(base, label):
    session = requests.Session()
    acknowledged = {}
    started = time.monotonic()
    for n in range(ALERTS):
        time.sleep(max(0.0, started + n / PER_SECOND - time.monotonic()))
        comment = f"{label}-{n}"
        answer = session.post(
            f"{base}/v3/webhook",
            json={
                "passphrase": "webhook",
                "ticker": "NASDAQ:AAPL",
                "order_action": "buy" if n % 2 else "sell",
                "order_contracts": 10,
                "order_price": 190.0,
                "order_comment": comment,
            },
            timeout=10,
        )
        assert answer.status_code == 201, answer.text
        acknowledged[comment] = time.monotonic()
    return acknowledged


def latency_run(label, alerts_into, followed_on):
    subscriber = Subscriber(followed_on)
    subscriber.start()
    assert subscriber.ready.wait(10)
    with TemporaryDirectory() as folder:
        stop, filled = start_bridge(followed_on, Path(folder) / "book.json")
        acknowledged = send_alerts(alerts_into, label)
        deadline = time.monotonic() + 10
        while len(filled) < ALERTS and time.monotonic() < deadline:
            time.sleep(0.1)
        stop()
    subscriber.close()
    to_event = [
        (subscriber.arrived[c] - t) * 1000
        for c, t in acknowledged.items()
        if c in subscriber.arrived
    ]
    to_fill = [(filled[c] - t) * 1000 for c, t in acknowledged.items() if c in filled]
    missing = ALERTS - len(to_event), ALERTS - len(to_fill)
    print(
        f"{label}: {ALERTS} alerts at {PER_SECOND}/s; 201 -> event at the subscriber: "
        f"p50 {statistics.median(to_event):.1f} ms, p99 {percentile(to_event, 0.99):.1f} ms; "
        f"201 -> paper fill stored: p50 {statistics.median(to_fill):.1f} ms, "
        f"p99 {percentile(to_fill, 0.99):.1f} ms; missing events {missing[0]}, fills {missing[1]}"
    )
    failures = []
    if percentile(to_event, 0.99) >= TARGETS["subscriber p99"] or missing[0]:
        failures.append(f"{label}: subscriber p99 {percentile(to_event, 0.99):.1f} ms")
    if percentile(to_fill, 0.99) >= TARGETS["fill p99"] or missing[1]:
        failures.append(f"{label}: fill p99 {percentile(to_fill, 0.99):.1f} ms")
    return failures


def settle(database):
    """Write dirty pages out and bring the statistics up to date before a run."""
    psql("VACUUM ANALYZE signals_signal", database)
    psql("CHECKPOINT", database)


def notify_cost(webhook_url, database):
    """The webhook's throughput with the NOTIFY trigger on over off, ABBA order, no stream open
    (what the notifying costs the write, not what serving the streams costs the worker)."""
    runs = {"on": [], "off": []}
    wrk(webhook_url, seconds=3, body=ALERT_BODY)  # a fresh server warms up unmeasured
    for round_number in range(ROUNDS):
        for name in ("on", "off") if round_number % 2 == 0 else ("off", "on"):
            action = "ENABLE" if name == "on" else "DISABLE"
            psql(f"ALTER TABLE signals_signal {action} TRIGGER pairsapi_signals_written", database)
            runs[name].append(wrk(webhook_url, seconds=8, body=ALERT_BODY)["rps"])
    psql("ALTER TABLE signals_signal ENABLE TRIGGER pairsapi_signals_written", database)
    on, off = statistics.median(runs["on"]), statistics.median(runs["off"])
    print(
        "webhook throughput with the stream's NOTIFY on / off (medians of "
        f"{', '.join(f'{r:.0f}' for r in runs['on'])} / "
        f"{', '.join(f'{r:.0f}' for r in runs['off'])} req/s): {on / off:.3f}"
    )
    return [] if on / off >= 0.9 else [f"NOTIFY on/off {on / off:.3f} < 0.9"]


ALERT_BODY = json.dumps(
    {"passphrase": "webhook", "ticker": "AAPL", "order_action": "buy", "order_contracts": 1}
)


def main():
    ensure_wrk()
    database = "pairsapi_latency"
    url = fresh_database(database)
    from instruments.services import register_ticker
    from pairsapi.testing import ServerProcess

    register_ticker(symbol="AAPL", active=True)
    env = {**server_env(url), "PASSPHRASE_THROTTLE_RATE": "100000000/min"}
    failures = []
    # The latency runs come first, each from a quiet database: the NOTIFY-cost run's write
    # storm leaves checkpoints and autovacuum behind it, which a run after it would measure.
    with ServerProcess(url, workers=2, env=env, print_log=False) as server:
        settle(database)
        failures += latency_run("one server, 2 workers", server.url, server.url)
    with (
        ServerProcess(url, workers=1, env=env, print_log=False) as first,
        ServerProcess(url, workers=1, env=env, print_log=False) as second,
    ):
        settle(database)
        failures += latency_run("two app servers, one PostgreSQL", first.url, second.url)
    with ServerProcess(url, workers=2, env=env, print_log=False) as server:
        failures += notify_cost(f"{server.url}/v3/webhook", database)
    print()
    if failures:
        print("LATENCY TARGETS MISSED:\n- " + "\n- ".join(failures))
        return 1
    print(
        "latency targets met: p99 < 50 ms to the subscriber, < 250 ms to the stored fill; "
        "webhook with NOTIFY >= 0.9 x without"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
