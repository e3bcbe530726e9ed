"""When each kind of market trades, for the risk gate's trading window."""

from datetime import UTC, datetime

import pytest

from signals.hours import closed


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("sectype", "currency", "moment", "words"),
    [
        ("STK", "USD", "2026-12-07 15:00:00", ""),  # Monday 10:00 New York
        ("STK", "USD", "2026-12-07 13:00:00", "XNYS is closed"),  # before the open
        ("STK", "USD", "2026-12-25 15:00:00", "XNYS is closed"),  # Christmas
        ("STK", "USD", "2026-11-27 18:30:00", "XNYS is closed"),  # after an early close
        ("STK", "CAD", "2026-12-07 15:00:00", ""),  # Toronto keeps New York's hours
        ("STK", "GBP", "2026-12-07 15:00:00", ""),  # London until 16:30
        ("STK", "GBP", "2026-12-07 17:00:00", "XLON is closed"),
        ("STK", "CHF", "2026-12-06 12:00:00", ""),  # no calendar known: not refused
        ("CASH", "USD", "2026-12-06 12:00:00", "forex market is closed"),  # Sunday noon
        ("CASH", "USD", "2026-12-06 22:30:00", ""),  # Sunday 17:30 New York
        ("CASH", "USD", "2026-12-11 22:30:00", "forex market is closed"),  # Friday 17:30
        ("CASH", "JPY", "2026-12-09 03:00:00", ""),  # midweek, any hour
        ("CRYPTO", "USD", "2026-12-06 12:00:00", ""),
    ],
)
def test_each_market_trades_in_its_own_hours(sectype, currency, moment, words):
    found = closed(sectype, currency, utc(moment))
    assert (words in found) if words else found == ""
