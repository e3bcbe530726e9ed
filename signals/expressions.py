"""The TradingView ticker expression: ``NMFC-0.75*NASDAQ:ROIC`` and its kin.

Pure: no Django. ``parse_expression`` never raises; anything it cannot read is ``problematic``.

Grammar of one leg: ``[coef*][EXCHANGE:]SYMBOL[*coef]``. One leg is a single, two legs joined by
``-`` a pair. Leg 1 may only carry the coefficient 1; leg 2's coefficient is the hedge (1 when
absent).
"""

import math
import re
from dataclasses import dataclass

SINGLE = "single"
PAIR = "pair"
PROBLEMATIC = "problematic"

_COEF = r"(?:\d+(?:\.\d*)?|\.\d+)"
_LEG = re.compile(
    rf"""
    \s*
    (?:(?P<pre>{_COEF})\s*\*\s*)?          # coefficient before the symbol
    (?:(?P<exchange>[A-Za-z0-9_]+)\s*:\s*)?  # exchange prefix, dropped
    (?P<symbol>[A-Za-z0-9][A-Za-z0-9._!&]*)
    (?:\s*\*\s*(?P<post>{_COEF}))?          # coefficient after the symbol
    \s*
    """,
    re.VERBOSE,
)
MAX_EXPRESSION_LENGTH = 100
MAX_SYMBOL_LENGTH = 40


@dataclass(frozen=True)
class Expression:
    kind: str  # SINGLE, PAIR or PROBLEMATIC
    symbol1: str | None = None
    symbol2: str | None = None
    hedge: float | None = None  # leg 2's coefficient; None for a single

    @property
    def is_problematic(self) -> bool:
        return self.kind == PROBLEMATIC


_PROBLEMATIC = Expression(PROBLEMATIC)


def _read_leg(text: str) -> tuple[str, float | None] | None:
    """(symbol, coefficient or None), or None when the leg is not well formed."""
    match = _LEG.fullmatch(text)
    if match is None or (match["pre"] and match["post"]):
        return None
    symbol = match["symbol"]
    if len(symbol) > MAX_SYMBOL_LENGTH:
        return None
    coef_text = match["pre"] or match["post"]
    coef = float(coef_text) if coef_text else None
    return symbol, coef


def parse_expression(text: str) -> Expression:
    """Read a TradingView expression into kind, broker-side symbols and hedge."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_EXPRESSION_LENGTH:
        return _PROBLEMATIC
    legs = text.split("-")
    if len(legs) > 2:
        return _PROBLEMATIC
    read = []
    for leg in legs:
        parsed = _read_leg(leg)
        if parsed is None:
            return _PROBLEMATIC
        read.append(parsed)
    symbol1, coef1 = read[0]
    if coef1 is not None and coef1 != 1:
        return _PROBLEMATIC
    if len(read) == 1:
        return Expression(SINGLE, symbol1)
    symbol2, coef2 = read[1]
    hedge = 1.0 if coef2 is None else coef2
    if not math.isfinite(hedge) or hedge <= 0:
        return _PROBLEMATIC
    return Expression(PAIR, symbol1, symbol2, hedge)


@dataclass(frozen=True)
class SymbolCandidate:
    """A broker symbol a TradingView symbol may stand for; ``sectypes`` limits which registered
    tickers may match it (None: any)."""

    symbol: str
    sectypes: frozenset | None = None


CURRENCY_SECTYPES = frozenset({"CASH", "CRYPTO"})


def symbol_candidates(symbol: str | None) -> list[SymbolCandidate]:
    """Broker symbols to try for a TradingView symbol, best first.

    Exactly as written; the class-share form ``BF.A`` as ``BF A``; a forex or crypto pair written
    without a separator (``EURUSD``, ``BTCUSDT``) as ``EUR.USD`` / ``BTC.USDT``, which only a
    ``CASH``/``CRYPTO`` ticker may match.
    """
    if not symbol:
        return []
    candidates = [SymbolCandidate(symbol)]
    if "." in symbol:
        candidates.append(SymbolCandidate(symbol.replace(".", " ")))
    elif symbol.isalnum() and 6 <= len(symbol) <= 12:
        # Split points nearest the usual three-letter base first.
        splits = sorted(range(2, len(symbol) - 1), key=lambda i: (abs(i - 3), i))
        candidates.extend(
            SymbolCandidate(f"{symbol[:i]}.{symbol[i:]}", CURRENCY_SECTYPES) for i in splits
        )
    return candidates
