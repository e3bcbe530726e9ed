"""Load and fault runs of `make bench`, on loopback only and bounded in count and time:

1. 10,000 webhooks from 16 concurrent clients against 4 gunicorn workers on PostgreSQL:
   no 5xx, and every 201 has exactly one row.
2. A worker killed with SIGKILL in the middle of the load: no acknowledged signal is lost and
   the service keeps answering.
3. PostgreSQL restarted in the middle of the load: clean 503 JSON answers during the outage,
   normal answers after, with the same gunicorn processes.
4. Redis stopped during 2,000 webhooks, and 5. Redis hanging (SIGSTOP: it accepts connections
   and never answers) during 2,000 webhooks, against a Redis of the run's own: every alert
   acknowledged and stored, /healthz "degraded".
6. Eight slow clients holding half-sent requests open during 2,000 webhooks: every alert
   acknowledged and stored, /healthz answering.

Each run prints what was sent, acknowledged, stored and lost, and the p99 of the answers.
Exit status 1 when any of them fails.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from common import flush_redis, fresh_database

CLIENTS = 16
WORKERS = 4


def alert(tag):
    return json.dumps(
        {
            "passphrase": "webhook",
            "ticker": "NMFC-0.75*NASDAQ:ROIC",
            "order_action": "buy",
            "order_contracts": 603,
            "order_price": 0.98,
            "order_comment": tag,
        }
    )


class Load:
    """Clients posting uniquely tagged alerts; records every answer by tag."""

    def __init__(self, port, run, total=None, seconds=None):
        self.port, self.run = port, run
        self.total, self.deadline = total, (time.monotonic() + seconds if seconds else None)
        self.next_index = 0
        self.lock = threading.Lock()
        self.answers = {}  # tag -> (status or None, body, time answered)
        self.latencies = []  # seconds, of the answered requests

    def _take(self):
        with self.lock:
            if self.total is not None and self.next_index >= self.total:
                return None
            if self.deadline is not None and time.monotonic() >= self.deadline:
                return None
            self.next_index += 1
            return f"load-{self.run}-{self.next_index}"

    def _client(self):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (tag := self._take()) is not None:
            sent_at = time.monotonic()
            try:
                connection.request(
                    "POST", "/v3/webhook", alert(tag), {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                answer = (response.status, response.read(), time.monotonic())
                with self.lock:
                    self.latencies.append(answer[2] - sent_at)
            except (OSError, http.client.HTTPException):
                # No answer (the worker died under it): not acknowledged, so not owed.
                answer = (None, b"", time.monotonic())
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self.lock:
                self.answers[tag] = answer
        connection.close()

    def run_in_background(self):
        threads = [threading.Thread(target=self._client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        return threads

    def answered(self):
        with self.lock:
            return len(self.answers)


def stored_rows(run):
    from django.db import connection

    from signals.models import Signal

    connection.close()
    tags = Signal.objects.filter(order_comment__startswith=f"load-{run}-").values_list(
        "order_comment", flat=True
    )
    return Counter(tags)


def check_acknowledged(load, problems, name):
    """Every acknowledged alert stored exactly once. Returns the run's figures in one line:
    sent, acknowledged, stored, lost, and the p99 of the answers."""
    rows = stored_rows(load.run)
    acknowledged = [tag for tag, (status, _, _) in load.answers.items() if status == 201]
    lost = [tag for tag in acknowledged if rows[tag] == 0]
    doubled = [tag for tag, count in rows.items() if count > 1]
    if lost:
        problems.append(f"{name}: {len(lost)} acknowledged signals have no row")
    if doubled:
        problems.append(f"{name}: {len(doubled)} signals stored twice")
    latencies = sorted(load.latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else float("nan")
    return (
        f"sent {len(load.answers)}, acknowledged {len(acknowledged)}, "
        f"stored {sum(rows.values())}, lost {len(lost)}, p99 {p99:.1f} ms"
    )


def statuses(load):
    return Counter(status for status, _, _ in load.answers.values())


def load_through(server, run, total, fault, problems, name):
    """``total`` webhooks with ``fault()`` called once 500 have been answered; every one must
    be acknowledged (201) and stored once."""
    load = Load(server.port, run, total=total)
    threads = load.run_in_background()
    while load.answered() < 500:
        time.sleep(0.01)
    fault()
    for thread in threads:
        thread.join()
    counts = statuses(load)
    line = check_acknowledged(load, problems, name)
    if counts != Counter({201: total}):
        problems.append(f"{name}: answers {dict(counts)}")
    return line


def health(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@contextmanager
def own_redis():
    """A redis-server of the run's own on a free port, to stop and freeze at will."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen(
            [
                *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            yield process, f"redis://127.0.0.1:{port}/0"
        finally:
            process.send_signal(signal.SIGCONT)
            process.kill()
            process.wait()


def run_redis_faults(url, problems):
    from pairsapi.testing import ServerProcess

    for number, name, fault in (
        (4, "Redis stopped", lambda redis: redis.kill()),
        (5, "Redis hanging (SIGSTOP)", lambda redis: redis.send_signal(signal.SIGSTOP)),
    ):
        with (
            own_redis() as (redis, redis_url),
            ServerProcess(url, workers=2, env={"REDIS_URL": redis_url}, print_log=False) as server,
        ):
            line = load_through(
                server, f"redis{number}", 2_000, lambda r=redis, f=fault: f(r), problems, name
            )
            status, body = health(server)
            print(
                f"{number}. {name} after 500 answers, 2,000 webhooks: {line}; "
                f"/healthz {status} {body}"
            )
            if (status, body.get("status")) != (200, "degraded"):
                problems.append(f"{name}: /healthz said {status} {body}")


def slow_sockets(port, count):
    sockets = []
    for number in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        if number % 2:
            sock.sendall(b"POST /v3/webhook HTTP/1.1\r\nHost: x\r\n")  # headers never ended
        else:
            sock.sendall(b"POST /v3/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 300\r\n\r\n{")
        sockets.append(sock)
    return sockets


def run_slow_clients(server, problems):
    sockets = slow_sockets(server.port, 8)
    try:
        line = load_through(server, "slow", 2_000, lambda: None, problems, "slow clients")
        status, _ = health(server)
    finally:
        for sock in sockets:
            sock.close()
    print(
        f"6. 8 slow clients holding half-sent requests, 2,000 webhooks: {line}; /healthz {status}"
    )
    if status != 200:
        problems.append(f"slow clients: /healthz answered {status}")


def gunicorn_processes(server):
    import psutil

    master = psutil.Process(server.process.pid)
    return master, master.children()


def run_plain_load(server, problems):
    load = Load(server.port, "plain", total=10_000)
    started = time.monotonic()
    for thread in load.run_in_background():
        thread.join()
    seconds = time.monotonic() - started
    counts = statuses(load)
    line = check_acknowledged(load, problems, "plain load")
    rows = stored_rows(load.run)
    print(
        f"1. 10,000 webhooks, {CLIENTS} clients, {WORKERS} workers: {seconds:.1f} s "
        f"({10_000 / seconds:.0f}/s); {line}"
    )
    if counts != Counter({201: 10_000}) or sum(rows.values()) != 10_000:
        problems.append(f"plain load: answers {dict(counts)}, rows {sum(rows.values())}")


def run_worker_kill(server, problems):
    master, workers = gunicorn_processes(server)
    load = Load(server.port, "kill", total=4_000)
    threads = load.run_in_background()
    while load.answered() < 1_000:
        time.sleep(0.01)
    victim = workers[0]
    os.kill(victim.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    for thread in threads:
        thread.join()
    counts = statuses(load)
    after_kill = sum(
        1 for status, _, at in load.answers.values() if status == 201 and at > killed_at
    )
    line = check_acknowledged(load, problems, "worker kill")
    print(
        f"2. SIGKILL of worker {victim.pid} after 1,000 answers: answers {dict(counts)}; "
        f"{after_kill} acknowledged after the kill; {line}"
    )
    if any(status is not None and status >= 500 for status in counts):
        problems.append(f"worker kill: server errors {dict(counts)}")
    if after_kill == 0:
        problems.append("worker kill: nothing answered after the kill")
    if master.pid != server.process.pid or not master.is_running():
        problems.append("worker kill: the gunicorn master went away")


def postgres_cluster():
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def run_postgres_restart(server, problems):
    master, workers_before = gunicorn_processes(server)
    load = Load(server.port, "pgrestart", seconds=12)
    threads = load.run_in_background()
    time.sleep(2)
    down_at = time.monotonic()
    subprocess.run([*postgres_cluster(), "stop", "-m", "fast"], check=True)
    time.sleep(2)  # an outage long enough to be seen
    subprocess.run([*postgres_cluster(), "start"], check=True)
    up_at = time.monotonic()
    for thread in threads:
        thread.join()
    counts = statuses(load)
    bad = [(status, body) for status, body, _ in load.answers.values() if status not in (201, 503)]
    unclean = []
    for status, body, _ in load.answers.values():
        if status == 503:
            try:
                json.loads(body)["message"]
            except (ValueError, KeyError):
                unclean.append(body)
    recovered = sum(1 for status, _, at in load.answers.values() if status == 201 and at > up_at)
    during = Counter(status for status, _, at in load.answers.values() if down_at < at < up_at)
    line = check_acknowledged(load, problems, "postgres restart")
    master_after, workers_after = gunicorn_processes(server)
    print(
        f"3. PostgreSQL stopped for 2 s and started again: answers {dict(counts)}; during the "
        f"outage {dict(during)}; {recovered} acknowledged after it; "
        f"{line}; gunicorn pids unchanged: "
        f"{sorted(w.pid for w in workers_before) == sorted(w.pid for w in workers_after)}"
    )
    if bad:
        problems.append(f"postgres restart: unexpected answers {Counter(s for s, _ in bad)}")
    if unclean:
        problems.append(f"postgres restart: {len(unclean)} 503 answers were not JSON")
    if not during.get(503):
        problems.append("postgres restart: no 503 seen during the outage")
    if recovered == 0:
        problems.append("postgres restart: no normal answer after the restart")
    if master_after.pid != master.pid:
        problems.append("postgres restart: gunicorn was restarted")


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    url = fresh_database("pairsapi_load")
    flush_redis()
    from instruments.models import Pair
    from pairsapi.testing import ServerProcess

    Pair.objects.create(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    problems = []
    with ServerProcess(url, workers=WORKERS, print_log=False) as server:
        run_plain_load(server, problems)
        run_worker_kill(server, problems)
        run_postgres_restart(server, problems)
        run_slow_clients(server, problems)
    run_redis_faults(url, problems)
    print()
    if problems:
        print("LOAD AND FAULT RUNS FAILED:\n- " + "\n- ".join(problems))
        return 1
    print(
        "load and fault runs passed: no 5xx but 503 during the PostgreSQL outage, every alert "
        "acknowledged through the Redis faults and the slow clients, no acknowledged signal "
        "lost, no signal stored twice, no gunicorn restart"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
