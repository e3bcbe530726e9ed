"""Console page timings on the 1M-signal history (called by run.py after it seeds it): each page
read by a logged-in staff member, median and p90 of 20 reads after 3 warm-ups."""

import re
import statistics
import sys
import time
from datetime import timedelta

import requests

PAGE_TARGET_MS = 50.0
ADMIN_TARGET_MS = 150.0
READS, WARM_UPS = 20, 3


def _furnish():
    """What a trader's book holds beside the history: a registry, prices, snapshots, a few
    manual signals."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from instruments.models import Pair, PriceTick, Ticker
    from pnl.models import AccountSnapshot
    from signals.models import Signal

    now = timezone.now()
    for n in range(20):
        for symbol in (f"P{n}", f"Q{n}"):
            Ticker.objects.get_or_create(symbol=symbol, defaults={"active_pos": 100 - n})
        Pair.objects.get_or_create(
            name=f"P{n}-Q{n}",
            defaults={"ticker1": f"P{n}", "ticker2": f"Q{n}", "hedge": 0.5, "status": True},
        )
        PriceTick.objects.bulk_create(
            PriceTick(
                instrument=f"P{n}-Q{n}", price=1 + (k % 17) / 10, at=now - timedelta(minutes=k)
            )
            for k in range(2000)
        )
    for n in range(20, 40):
        Ticker.objects.get_or_create(symbol=f"S{n}", defaults={"active": True, "active_pos": n})
    AccountSnapshot.objects.bulk_create(
        AccountSnapshot(timestamp=now - timedelta(minutes=5 * k), net_liquidation=60000 + k % 500)
        for k in range(90 * 288)  # 90 days of snapshots every 5 minutes
    )
    Signal.objects.filter(rowid__in=Signal.objects.order_by("-rowid").values("rowid")[:5]).update(
        created_by="staff:bench"
    )
    # One busy ticker: 40,000 signals over the last 40 days (the slippage page's long range).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO signals_signal (
                timestamp, ticker, order_action, order_contracts, order_price, order_comment,
                order_status, ticker_type, ticker1, filled_qty1, filled_qty2, fill_price, slip,
                created_by)
            SELECT now() - make_interval(secs => n * 86.4), 'BIG', 'buy', 10, 1.0, '', 'filled',
                   'single', 'BIG', 10, 0, 1.0, (n % 9 - 4) / 100.0, 'passphrase'
            FROM generate_series(1, 40000) AS n
            """
        )
        cursor.execute("ANALYZE signals_signal")
    user_model = get_user_model()
    if not user_model.objects.filter(username="bench-staff").exists():
        user_model.objects.create_superuser("bench-staff", password="bench-pass-12345")


def _logged_in(base):
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(
        f"{base}/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "bench-staff",
            "password": "bench-pass-12345",
        },
        headers={"Referer": f"{base}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]
    return session


def _timed(session, url):
    for _ in range(WARM_UPS):
        answer = session.get(url, timeout=30)
        assert answer.status_code == 200, f"{url}: {answer.status_code} {answer.text[:200]}"
    times = []
    for _ in range(READS):
        started = time.perf_counter()
        answer = session.get(url, timeout=30)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200
    times.sort()
    return statistics.median(times), times[int(0.9 * len(times))], len(answer.content)


def console_timings(base):
    """Print each page's timings; return the targets missed."""
    from django.utils import timezone

    from signals.models import Signal

    _furnish()
    session = _logged_in(base)
    newest = Signal.objects.order_by("-timestamp", "-rowid").values_list("rowid", flat=True)
    page_two_anchor = newest[49]
    today = timezone.now().date()
    month_ago = (today - timedelta(days=30)).isoformat()
    forty_days_ago = (today - timedelta(days=41)).isoformat()
    pages = {
        "/dashboard": PAGE_TARGET_MS,
        "/signals": PAGE_TARGET_MS,
        f"/signals?before={page_two_anchor}": PAGE_TARGET_MS,
        "/signals?ticker=P7-0.5*Q7": PAGE_TARGET_MS,
        "/signals?ticker=nasdaq:s7": PAGE_TARGET_MS,
        "/signals?status=waiting": PAGE_TARGET_MS,
        "/signals?status=error": PAGE_TARGET_MS,
        "/signals?action=sell&status=canceled": PAGE_TARGET_MS,
        "/signals?source=manual": PAGE_TARGET_MS,
        f"/signals?start={month_ago}&end={month_ago}": PAGE_TARGET_MS,
        f"/signals/{newest[0]}": PAGE_TARGET_MS,
        f"/list?ticker=P7-Q7&start={today.isoformat()}&end={today.isoformat()}": PAGE_TARGET_MS,
        f"/list?ticker=BIG&start={forty_days_ago}&end={today.isoformat()}": PAGE_TARGET_MS,
        "/positions": PAGE_TARGET_MS,
        "/watchlist": PAGE_TARGET_MS,
        "/setup": PAGE_TARGET_MS,
        "/admin/signals/signal/": ADMIN_TARGET_MS,
        "/admin/signals/signal/?order_status=waiting": ADMIN_TARGET_MS,
        "/admin/signals/signal/?ticker_type=pair&order_status=canceled": ADMIN_TARGET_MS,
        "/admin/signals/signal/?q=P7": ADMIN_TARGET_MS,
    }
    print(f"\nconsole pages on the 1M history, {READS} reads each (target median):")
    failures = []
    for path, target in pages.items():
        median, p90, size = _timed(session, f"{base}{path}")
        print(
            f"  {path:<60} median {median:7.1f} ms  p90 {p90:7.1f} ms  "
            f"{size / 1024:6.0f} KB  (< {target:.0f} ms)"
        )
        if median >= target:
            failures.append(f"{path} median {median:.1f} ms >= {target:.0f} ms")
    return failures


def main():
    """The console timings alone, on a fresh 1M history (``make bench`` runs them in run.py)."""
    from common import fresh_database, server_env
    from run import SIGNALS, seed_history

    url = fresh_database("pairsapi_console")
    from pairsapi.testing import ServerProcess

    seconds = seed_history(SIGNALS)
    print(f"seeded {SIGNALS:,} signals in {seconds:.1f} s")
    with ServerProcess(url, workers=2, env=server_env(url), print_log=False) as server:
        failures = console_timings(server.url)
    if failures:
        print("CONSOLE TARGETS MISSED:\n- " + "\n- ".join(failures))
        return 1
    print("console targets met: pages < 50 ms median, the admin's signal list < 150 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
