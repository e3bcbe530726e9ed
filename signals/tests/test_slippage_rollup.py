"""The hourly slippage roll-up the database keeps beside the signals, and the slippage page's
summary read from it: always the same figures as reading every signal."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Avg, Count

from signals import selectors
from signals.models import Signal, SlippageHour
from signals.tests.factories import make_signal, make_single

pytestmark = pytest.mark.django_db

NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def rolled():
    return {
        (r.ticker1, r.ticker2, r.hour.astimezone(UTC).hour, r.order_action): (
            r.slipped,
            round(r.slip_sum, 6),
        )
        for r in SlippageHour.objects.filter(slipped__gt=0)
    }


def test_the_roll_up_follows_every_change_of_a_signals_slip():
    make_single("AAPL", timestamp=NINE + timedelta(minutes=5))  # an alert: no slip, no row
    assert rolled() == {}
    first = make_single("AAPL", timestamp=NINE + timedelta(minutes=10), slip=0.02)
    make_single("AAPL", timestamp=NINE + timedelta(minutes=50), slip=-0.04, order_action="sell")
    make_signal(timestamp=NINE, slip=0.5)  # the pair NMFC-ROIC
    make_single("A*2-B", ticker_type=None, slip=9.0)  # a problematic one counts nowhere
    assert rolled() == {
        ("AAPL", "", 9, "buy"): (1, 0.02),
        ("AAPL", "", 9, "sell"): (1, -0.04),
        ("NMFC", "ROIC", 9, "buy"): (1, 0.5),
    }
    Signal.objects.filter(rowid=first.rowid).update(slip=0.03)  # a later fill moved it
    assert rolled()[("AAPL", "", 9, "buy")] == (1, 0.03)
    Signal.objects.filter(rowid=first.rowid).update(timestamp=NINE + timedelta(hours=1))
    assert ("AAPL", "", 9, "buy") not in rolled()
    assert rolled()[("AAPL", "", 10, "buy")] == (1, 0.03)
    Signal.objects.filter(rowid=first.rowid).update(slip=None)
    assert ("AAPL", "", 10, "buy") not in rolled()
    Signal.objects.filter(ticker1="NMFC").delete()
    assert rolled() == {("AAPL", "", 9, "sell"): (1, -0.04)}


def test_a_fill_report_that_sets_the_slip_is_rolled_up():
    from pairsapi.testing import V3Client

    signal = make_single("AAPL", timestamp=NINE, order_price=190.0, order_id1=7)
    V3Client().put(
        "/v3/signal/updateorder",
        {
            "passphrase": "webhook",
            "order_id": 7,
            "symbol": "AAPL",
            "price": 189.5,
            "filled_qty": 100,
        },
        format="json",
    )
    signal.refresh_from_db()
    assert signal.slip == 0.5
    assert rolled() == {("AAPL", "", 9, "buy"): (1, 0.5)}


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (NINE, NINE + timedelta(hours=6)),  # whole hours
        (NINE + timedelta(minutes=30), NINE + timedelta(hours=5, minutes=30)),  # India's days
        (NINE + timedelta(minutes=20), NINE + timedelta(minutes=40)),  # inside one hour
        (NINE - timedelta(days=1), NINE + timedelta(days=1)),  # all of it
        (NINE + timedelta(hours=2, minutes=1), NINE + timedelta(hours=3)),
    ],
)
def test_the_summary_is_what_reading_every_signal_gives(start, end):
    for n in range(60):
        make_single(
            "AAPL",
            timestamp=NINE + timedelta(minutes=7 * n),
            slip=None if n % 5 == 0 else (n % 7 - 3) / 100,
            order_action="buy" if n % 3 else "sell",
        )
    make_single("MSFT", timestamp=NINE + timedelta(minutes=30), slip=1.0)
    summary = selectors.slippage_summary("AAPL", start, end)
    direct = Signal.objects.filter(ticker1="AAPL", timestamp__gte=start, timestamp__lt=end)
    assert summary.slipped == direct.aggregate(n=Count("slip"))["n"]
    for key, signals in (
        ("buy", direct.filter(order_action="buy")),
        ("sell", direct.filter(order_action="sell")),
        ("all", direct),
    ):
        average = signals.aggregate(a=Avg("slip"))["a"]
        if average is None:
            assert summary.averages[key] is None
        else:
            assert summary.averages[key] == pytest.approx(average, abs=1e-9)
    hours = [hour for hour, _ in summary.hourly]
    assert hours == sorted(hours) and len(set(hours)) == len(hours)
