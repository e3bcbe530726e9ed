"""Which status a new or re-sent signal gets, from what is registered (the contract's table).

Pure: the caller looks the ticker or pair up and passes what it found.
"""

from dataclasses import dataclass

from .expressions import PAIR, Expression

CREATED = "'signal' created successfully."
RECORDED_PROBLEMATIC = "recorded with problematic ticker!"
RECORDED_UNKNOWN_OR_PASSIVE = "recorded with unknown or passive ticker!"

# The status messages of a signal the service's own checks refused (the watchdog reports them).
PROBLEMATIC_TICKER = "problematic ticker!"
UNKNOWN_TICKER = "unknown ticker"
PASSIVE_TICKER = "passive ticker"
WRONG_HEDGE = "wrong hedge"
REFUSALS = (PROBLEMATIC_TICKER, UNKNOWN_TICKER, PASSIVE_TICKER, WRONG_HEDGE)
REFUSED_STATUSES = ("error", "canceled")


def refused_by_checks(order_status: str, status_msg: str | None) -> bool:
    return order_status in REFUSED_STATUSES and status_msg in REFUSALS


# Hedges equal within this tolerance are the same hedge (0.75 sent vs 0.75 stored as a float).
HEDGE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Verdict:
    order_status: str
    status_msg: str | None
    answer: str


@dataclass(frozen=True)
class Registered:
    """The registered ticker (single) or pair that the expression matched."""

    active: bool
    hedge: float | None = None


def _hedges_differ(sent: float | None, registered: float | None) -> bool:
    if sent is None or registered is None:
        return sent is not registered
    return abs(sent - registered) > HEDGE_TOLERANCE


def check_signal(
    expression: Expression,
    registered: Registered | None,
    order_status: str,
    status_msg: str | None,
    bypass: bool = False,
) -> Verdict:
    """The signal's status, status message and the webhook's answer."""
    if expression.is_problematic:
        return Verdict("error", PROBLEMATIC_TICKER, RECORDED_PROBLEMATIC)
    if bypass:
        return Verdict(order_status, status_msg, CREATED)
    if registered is None:
        return Verdict("error", UNKNOWN_TICKER, RECORDED_UNKNOWN_OR_PASSIVE)
    if not registered.active:
        return Verdict("canceled", PASSIVE_TICKER, RECORDED_UNKNOWN_OR_PASSIVE)
    if expression.kind == PAIR and _hedges_differ(expression.hedge, registered.hedge):
        return Verdict("canceled", WRONG_HEDGE, RECORDED_UNKNOWN_OR_PASSIVE)
    return Verdict(order_status, status_msg, CREATED)
