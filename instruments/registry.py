"""The tickers and pairs a new signal is checked against, kept in each worker's memory.

An alert's check then costs no query: the worker checks it against its copy and the signal's
INSERT carries the copy's registry version, so it lands only while that version is current
(``signals.services``). Any change that matters to the check gives the registry a new version
(database triggers, migration 0002); the worker then reads the registry again and retries.
"""

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from random import getrandbits
from typing import Any, Protocol

from .models import Pair, RegistryVersion, Ticker

REGISTRY_VERSION_ID = 1

RegisteredTicker = namedtuple("RegisteredTicker", "symbol sectype active")
RegisteredPair = namedtuple("RegisteredPair", "ticker1 ticker2 hedge status")


class Registry(Protocol):
    """What an alert is checked against: this worker's snapshot, or the database itself
    (``selectors.LiveRegistry``). Both answer with an object carrying the fields checked."""

    def ticker_for(self, candidates: Sequence[tuple[str, frozenset[str] | None]]) -> Any: ...

    def pair_for(self, leg1_candidates: Sequence[str], leg2_candidates: Sequence[str]) -> Any: ...


def pick_ticker(candidates, tickers):
    """The ticker for the first of ``candidates`` that names one in ``tickers`` (by symbol).

    ``candidates`` are ``(symbol, sectypes)`` pairs, best first; ``sectypes`` (None: any) limits
    which kinds of ticker the symbol may match.
    """
    for symbol, sectypes in candidates:
        ticker = tickers.get(symbol)
        if ticker is not None and (sectypes is None or ticker.sectype in sectypes):
            return ticker
    return None


def pick_pair(leg1_candidates, leg2_candidates, pairs):
    """The pair in ``pairs`` (by its two legs) matching the earliest candidates of each leg."""
    for leg1 in leg1_candidates:
        for leg2 in leg2_candidates:
            pair = pairs.get((leg1, leg2))
            if pair is not None:
                return pair
    return None


@dataclass(frozen=True)
class RegistrySnapshot:
    version: int
    tickers: dict
    pairs: dict

    def ticker_for(self, candidates):
        return pick_ticker(candidates, self.tickers)

    def pair_for(self, leg1_candidates, leg2_candidates):
        return pick_pair(leg1_candidates, leg2_candidates, self.pairs)


def _version_row(rows):
    """The registry's version row, created if it is missing (a flushed database)."""
    row, _ = rows.get_or_create(id=REGISTRY_VERSION_ID, defaults={"version": getrandbits(62)})
    return row


def current_version():
    return _version_row(RegistryVersion.objects).version


def lock_for_writes():
    """Lock the version row until the transaction ends: a row that always exists, so writes
    about tickers and pairs that do not exist yet queue on it too."""
    _version_row(RegistryVersion.objects.select_for_update())


def read_registry():
    """A fresh snapshot. The version is read first: a change committed while the rest is read
    leaves the snapshot labelled with an older version, so its first insert is refused."""
    version = current_version()
    tickers = {
        row[0]: RegisteredTicker(*row)
        for row in Ticker.objects.values_list("symbol", "sectype", "active")
    }
    pairs = {
        (row[0], row[1]): RegisteredPair(*row)
        for row in Pair.objects.values_list("ticker1", "ticker2", "hedge", "status")
    }
    return RegistrySnapshot(version, tickers, pairs)


_snapshot = None


def cached_registry():
    """This worker's snapshot, read on first use."""
    return _snapshot or refreshed_registry()


def refreshed_registry():
    """Read the registry again and keep it as this worker's snapshot."""
    global _snapshot
    _snapshot = read_registry()
    return _snapshot
