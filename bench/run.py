"""`make bench`: throughput and latency of the hot routes on PostgreSQL, before and after a
1,000,000-signal history, against gunicorn with 2 workers, loaded by wrk from another process.

Prints requests/s, p50, p99 and errors per route, the webhook's throughput as a ratio of an
insert-only baseline measured in the same run, EXPLAIN of the list queries, and worker RSS,
then checks the targets (exit status 1 when one is missed).
"""

import statistics
import sys
import time

from common import PAIR_ALERT, ensure_wrk, flush_redis, fresh_database, row, wrk
from console import console_timings

SIGNALS = 1_000_000
# Baseline and webhook alternate in ABBA order: each insert makes the next a little dearer (the
# table and its indexes grow), so a fixed order would favour whichever always runs first.
ROUNDS = 4


def seed_registry():
    from instruments.models import Pair, Ticker

    Ticker.objects.create(symbol="NMFC")
    Ticker.objects.create(symbol="ROIC")
    Pair.objects.create(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def seed_history(count):
    """A years-long history in one INSERT … SELECT: 200 pairs and 100 singles, almost all
    filled or canceled, one in 20,000 still waiting; a minute apart, oldest first."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO signals_signal (
                timestamp, ticker, order_action, order_contracts, order_price, order_comment,
                order_status, ticker_type, ticker1, ticker2, hedge_param, order_id1, order_id2,
                price1, price2, filled_qty1, filled_qty2, fill_price, slip, created_by)
            SELECT now() - make_interval(mins => %(count)s - n),
                   CASE WHEN n %% 3 = 0 THEN 'S' || n %% 100
                        ELSE 'P' || n %% 200 || '-0.5*Q' || n %% 200 END,
                   CASE WHEN n %% 2 = 0 THEN 'buy' ELSE 'sell' END,
                   100, 1.0, '',
                   CASE WHEN n %% 20000 = 0 THEN 'waiting'
                        WHEN n %% 7 = 0 THEN 'canceled' ELSE 'filled' END,
                   CASE WHEN n %% 3 = 0 THEN 'single' ELSE 'pair' END,
                   CASE WHEN n %% 3 = 0 THEN 'S' || n %% 100 ELSE 'P' || n %% 200 END,
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE 'Q' || n %% 200 END,
                   CASE WHEN n %% 3 = 0 THEN NULL ELSE 0.5 END,
                   n, n + %(count)s, 10.0, 20.0, 100, 50, 0.0, 0.01, 'passphrase'
            FROM generate_series(1, %(count)s) AS n
        """,
            {"count": count},
        )
        # What autovacuum does after a bulk load and after the mass status update above; without
        # it the planner sees the dead 'waiting' entries that update left in the indexes.
        cursor.execute("VACUUM ANALYZE signals_signal")
    return time.perf_counter() - started


def explain(queryset):
    return queryset.explain(analyze=True, buffers=True)


def worker_rss_mb(server):
    import psutil

    children = psutil.Process(server.process.pid).children()
    return [child.memory_info().rss / 2**20 for child in children]


def audit_cost(webhook_url):
    """The webhook's throughput with the audit trail's triggers on over off, ABBA order.

    An alert's INSERT records its creator on the row itself, so the webhook should pay only
    for naming the actor (measured alone by ``actor_naming_cost``); this shows it."""
    from audit import triggers

    runs = {"audit trail on": [], "audit trail off": []}
    wrk(webhook_url, seconds=2, body=PAIR_ALERT)  # warm-up, not counted
    for round_number in range(ROUNDS):
        order = list(runs) if round_number % 2 == 0 else list(runs)[::-1]
        for name in order:
            (triggers.install if name.endswith("on") else triggers.uninstall)()
            runs[name].append(wrk(webhook_url, seconds=8, body=PAIR_ALERT))
    triggers.install()
    print(actor_naming_cost())
    for name, results in runs.items():
        for i, result in enumerate(results, 1):
            print(row(f"webhook ingest, {name} #{i}", result))
    on, off = (statistics.median(r["rps"] for r in runs[name]) for name in runs)
    ratio = on / off
    print(
        f"webhook throughput, audit triggers on / off (medians): {ratio:.3f}"
        f" (costs {100 * (1 - ratio):.1f}%)"
    )
    return ratio


def gate_cost(webhook_url):
    """The webhook's throughput with a risk limit on the alerts' pair over none, ABBA order
    (issue: the gate's cost at most a tenth). The limit is a size limit the alerts pass
    (max_order_contracts); a max_position, which reads the pair's pending orders under its
    lock, is measured beside it without a target. Every alert here is for one pair, so a
    max_position that let them all pass would read an ever longer list of waiting orders: no
    instrument of a real account has thousands waiting (they expire in max_signal_age)."""
    from signals import services
    from signals.risk import parse_changes

    def limits(values):
        changes = parse_changes({"instruments": {"NMFC-ROIC": values}}, lambda name: True)
        services.update_risk(changes=changes)

    none = dict.fromkeys(("max_order_contracts", "max_position"))
    settings = {
        "no limits": none,
        "max_order_contracts set": {**none, "max_order_contracts": 10**9},
    }
    runs = {name: [] for name in settings}
    wrk(webhook_url, seconds=2, body=PAIR_ALERT)  # warm-up, not counted
    for round_number in range(ROUNDS):
        order = list(runs) if round_number % 2 == 0 else list(runs)[::-1]
        for name in order:
            limits(settings[name])
            runs[name].append(wrk(webhook_url, seconds=8, body=PAIR_ALERT))
    for name, results in runs.items():
        for i, result in enumerate(results, 1):
            print(row(f"webhook ingest, {name} #{i}", result))
    # As a trader sets it: the first alert passes, the rest are held (none of them grows
    # the pending orders the check reads).
    from signals.models import Signal

    Signal.objects.filter(order_status="waiting").update(order_status="filled")
    limits({**none, "max_position": 1000})
    position = wrk(webhook_url, seconds=8, body=PAIR_ALERT)
    limits(none)
    print(row("webhook ingest, max_position 1000 (the rest held)", position))
    limited, free = (statistics.median(r["rps"] for r in runs[name]) for name in reversed(runs))
    ratio = limited / free
    print(f"webhook throughput, a limit on the pair / no limits (medians): {ratio:.3f}")
    return ratio


def actor_naming_cost():
    """The off runs above still name the actor in front of each write (the triggers come off,
    the connection's wrapper stays): its cost, measured alone on this process's connection."""
    from django.db import connection, transaction

    from audit import triggers
    from signals.inserts import insert_signal
    from signals.models import Signal

    triggers.uninstall()
    per_write = {}
    connection.ensure_connection()
    wrapper = triggers._actor_before_writes
    for name in ("with", "without", "with", "without"):
        if name == "without":
            connection.execute_wrappers.remove(wrapper)
        started = time.perf_counter()
        with transaction.atomic():  # no commit per row: the statement's own cost, not fsync's
            for _ in range(2000):
                insert_signal(
                    Signal(ticker="NMFC-0.75*ROIC", order_action="buy", order_contracts=1)
                )
        per_write.setdefault(name, []).append((time.perf_counter() - started) / 2000 * 1e6)
        if name == "without":
            connection.execute_wrappers.append(wrapper)
    with transaction.atomic():
        Signal.objects.filter(order_contracts=1).delete()
    triggers.install()
    with_, without = min(per_write["with"]), min(per_write["without"])
    return (
        f"one INSERT from this process: {with_:.0f} us naming the actor, {without:.0f} us without"
        f" (+{with_ - without:.0f} us)"
    )


def watchdog_check_ms():
    """How long the watchdog's checks take: the first (which also starts the missed-alert pass
    a day back) and four more."""
    from django.utils import timezone

    from safetynet.watch import check_once

    timings = []
    for _ in range(5):
        started = time.perf_counter()
        check_once(timezone.now())
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def main():
    ensure_wrk()
    url = fresh_database("pairsapi_bench")
    flush_redis()
    from pairsapi.testing import ServerProcess

    seed_registry()
    failures = []

    with ServerProcess(url, workers=2, print_log=False) as server:
        base = server.url
        waiting_poll = f"{base}/v3/signals/status/waiting/0"
        pair_history = f"{base}/v3/signals/ticker/NMFC-ROIC/20"

        print(f"gunicorn, 2 workers, PostgreSQL; wrk 8 connections; {ROUNDS} rounds, ABBA order")
        baseline, webhook = [], []
        runs = {
            "baseline": (baseline, f"{base}/bench/insert", PAIR_ALERT),
            "webhook": (webhook, f"{base}/v3/webhook", PAIR_ALERT),
        }
        for round_number in range(ROUNDS):
            order = ("baseline", "webhook") if round_number % 2 == 0 else ("webhook", "baseline")
            for name in order:
                results, url, body = runs[name]
                results.append(wrk(url, seconds=8, body=body))
        for name, results in (
            ("insert-only baseline (POST /bench/insert)", baseline),
            ("webhook ingest (POST /v3/webhook)", webhook),
        ):
            for i, result in enumerate(results, 1):
                print(row(f"{name} #{i}", result))
        ratio = statistics.median(r["rps"] for r in webhook) / statistics.median(
            r["rps"] for r in baseline
        )
        print(f"webhook throughput / insert-only baseline (medians): {ratio:.3f}")
        if ratio < 0.9:
            failures.append(f"webhook ratio {ratio:.3f} < 0.9")
        if any(r["errors"] for r in webhook + baseline):
            failures.append("errors during ingest")

        audit_ratio = audit_cost(f"{base}/v3/webhook")
        if audit_ratio < 0.9:
            failures.append(f"webhook with the audit trail {audit_ratio:.3f} x without < 0.9")
        gate_ratio = gate_cost(f"{base}/v3/webhook")
        if gate_ratio < 0.9:
            failures.append(f"webhook with a risk limit {gate_ratio:.3f} x without < 0.9")

        from signals.models import Signal

        # The ingested alerts were all for one pair; a real waiting list is short.
        Signal.objects.filter(order_status="waiting").update(order_status="filled")
        Signal.objects.filter(rowid__in=Signal.objects.order_by("-rowid")[:30]).update(
            order_status="waiting"
        )
        small = {"waiting poll": wrk(waiting_poll), "pair history": wrk(pair_history)}
        for name, result in small.items():
            print(row(f"{name} (small history)", result))

        rss = worker_rss_mb(server)
        print("gunicorn worker RSS: " + ", ".join(f"{mb:.1f} MB" for mb in rss))
        if max(rss) >= 100:
            failures.append(f"worker RSS {max(rss):.1f} MB >= 100 MB")

        from audit import triggers

        triggers.uninstall()  # a seeded history is not a change anyone made
        seconds = seed_history(SIGNALS)
        triggers.install()
        total = Signal.objects.count()
        print(f"seeded {SIGNALS:,} signals in {seconds:.1f} s ({total:,} in the table)")

        large_pair = f"{base}/v3/signals/ticker/P7-Q7/20"
        large = {
            "signals/status/waiting/0 (waiting poll)": wrk(waiting_poll),
            "signals/ticker/P7-Q7/20 (pair history)": wrk(large_pair),
            "signals/ticker/NMFC-ROIC/20 (pair history)": wrk(pair_history),
        }
        for name, result in large.items():
            print(row(f"{name}, 1M history", result))
            if result["p50"] >= 10:
                failures.append(f"{name} p50 {result['p50']:.2f} ms >= 10 ms")
            if result["errors"]:
                failures.append(f"{name}: {result['errors']} errors")

        from signals import selectors

        plans = {
            "waiting poll": explain(selectors.signals_with_status("waiting", 20)),
            "pair history": explain(selectors.signals_for_ticker("P7-Q7", 20)),
        }
        for name, plan in plans.items():
            print(f"\nEXPLAIN ANALYZE, {name}:\n{plan}")
            if "Seq Scan" in plan or "Index" not in plan:
                failures.append(f"{name} is not served by an index scan")

        watchdog_ms = watchdog_check_ms()
        print(
            "\nwatchdog check on the 1M history: "
            + ", ".join(f"{ms:.1f} ms" for ms in watchdog_ms)
            + f" (first, then each later check; median {statistics.median(watchdog_ms):.1f} ms)"
        )
        if max(watchdog_ms) >= 1000:
            failures.append(f"a watchdog check took {max(watchdog_ms):.0f} ms >= 1 s")

        failures += console_timings(base)

        rss = worker_rss_mb(server)
        print("\ngunicorn worker RSS after the 1M runs: " + ", ".join(f"{mb:.1f} MB" for mb in rss))
        if max(rss) >= 100:
            failures.append(f"worker RSS {max(rss):.1f} MB >= 100 MB")

    print()
    if failures:
        print("TARGETS MISSED:\n- " + "\n- ".join(failures))
        return 1
    print(
        "all targets met: webhook >= 0.9 x baseline; p50 < 10 ms on the 1M history with "
        "index scans; worker RSS < 100 MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
