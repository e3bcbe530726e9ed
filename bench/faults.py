"""Load and fault runs of `make bench`, on loopback only and bounded in count and time:

1. 10,000 webhooks from 16 concurrent clients against 4 gunicorn workers on PostgreSQL:
   no 5xx, and every 201 has exactly one row.
2. A worker killed with SIGKILL in the middle of the load: no acknowledged signal is lost and
   the service keeps answering.
3. PostgreSQL restarted in the middle of the load: clean 503 JSON answers during the outage,
   normal answers after, with the same gunicorn processes.

Exit status 1 when any of them fails.
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
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
            try:
                connection.request(
                    "POST", "/v3/webhook", alert(tag), {"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                answer = (response.status, response.read(), time.monotonic())
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
    rows = stored_rows(load.run)
    acknowledged = [tag for tag, (status, _, _) in load.answers.items() if status == 201]
    lost = [tag for tag in acknowledged if rows[tag] == 0]
    doubled = [tag for tag, count in rows.items() if count > 1]
    if lost:
        problems.append(f"{name}: {len(lost)} acknowledged signals have no row")
    if doubled:
        problems.append(f"{name}: {len(doubled)} signals stored twice")
    return acknowledged, rows


def statuses(load):
    return Counter(status for status, _, _ in load.answers.values())


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
    acknowledged, rows = check_acknowledged(load, problems, "plain load")
    print(
        f"1. 10,000 webhooks, {CLIENTS} clients, {WORKERS} workers: {seconds:.1f} s "
        f"({10_000 / seconds:.0f}/s); answers {dict(counts)}; rows {sum(rows.values())}"
    )
    if counts != Counter({201: 10_000}) or sum(rows.values()) != 10_000:
        problems.append(f"plain load: answers {dict(counts)}, rows {sum(rows.values())}")
    return acknowledged


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
    acknowledged, _ = check_acknowledged(load, problems, "worker kill")
    print(
        f"2. SIGKILL of worker {victim.pid} after 1,000 answers: answers {dict(counts)}; "
        f"{after_kill} acknowledged after the kill; {len(acknowledged)} acknowledged, all stored"
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
    acknowledged, _ = check_acknowledged(load, problems, "postgres restart")
    master_after, workers_after = gunicorn_processes(server)
    print(
        f"3. PostgreSQL stopped for 2 s and started again: answers {dict(counts)}; during the "
        f"outage {dict(during)}; {recovered} acknowledged after it; "
        f"{len(acknowledged)} acknowledged, all stored; gunicorn pids unchanged: "
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
    print()
    if problems:
        print("LOAD AND FAULT RUNS FAILED:\n- " + "\n- ".join(problems))
        return 1
    print(
        "load and fault runs passed: no 5xx but 503 during the outage, no acknowledged "
        "signal lost, no signal stored twice, no gunicorn restart"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
