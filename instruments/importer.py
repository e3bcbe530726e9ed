"""``manage.py import_v3``: the tickers and pairs of an original v3 database."""

from collections import Counter

from pairsapi.v3source import as_flag, as_float, as_text

from .models import SYMBOL_MAX_LENGTH, Pair, Ticker


def import_v3_tickers(rows):
    """Create or update tickers from a v3 database's ``tickers`` rows, by symbol."""
    counts = Counter()
    for row in rows:
        symbol = as_text(row.get("symbol"))
        if not symbol or len(symbol) > SYMBOL_MAX_LENGTH or "/" in symbol:
            counts["skipped"] += 1
            continue
        sectype = as_text(row.get("sectype")) or "STK"
        fields = {
            "sectype": sectype if sectype in Ticker.SecType.values else "STK",
            "xch": as_text(row.get("xch"), 20) or "SMART",
            "prixch": as_text(row.get("prixch"), 20) or "NYSE",
            "currency": as_text(row.get("currency"), 10) or "USD",
            "order_type": as_text(row.get("order_type"), 20) or "RELATIVE",
            "active": as_flag(row.get("active")),
            "active_pos": as_float(row.get("active_pos")) or 0,
            "active_pnl": as_float(row.get("active_pnl")) or 0,
            "active_cost": as_float(row.get("active_cost")) or 0,
        }
        _, created = Ticker.objects.update_or_create(symbol=symbol, defaults=fields)
        counts["created" if created else "updated"] += 1
    return counts


def import_v3_pairs(rows):
    """Create or update pairs from a v3 database's ``pairs`` rows, by name."""
    counts = Counter()
    for row in rows:
        ticker1, ticker2 = as_text(row.get("ticker1")), as_text(row.get("ticker2"))
        name = as_text(row.get("name"))
        if (not ticker1 or not ticker2) and name and name.count("-") == 1:
            ticker1, ticker2 = name.split("-")
        hedge = as_float(row.get("hedge"))
        legs_ok = ticker1 and ticker2 and "-" not in ticker1 + ticker2
        if (
            not legs_ok
            or max(len(ticker1), len(ticker2)) > SYMBOL_MAX_LENGTH
            or not hedge
            or hedge <= 0
        ):
            counts["skipped"] += 1
            continue
        fields = {
            "ticker1": ticker1,
            "ticker2": ticker2,
            "hedge": hedge,
            "status": as_flag(row.get("status")),
            "notes": as_text(row.get("notes")),
        }
        _, created = Pair.objects.update_or_create(
            name=Pair.name_for(ticker1, ticker2), defaults=fields
        )
        counts["created" if created else "updated"] += 1
    return counts
