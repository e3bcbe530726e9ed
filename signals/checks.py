"""Which status a new or re-sent signal gets, from what is registered (the contract's table).

Pure: the caller looks the ticker or pair up and passes what it found.
"""

from dataclasses import dataclass

from .expressions import PAIR

CREATED = "'signal' created successfully."
RECORDED_PROBLEMATIC = "recorded with problematic ticker!"
RECORDED_UNKNOWN_OR_PASSIVE = "recorded with unknown or passive ticker!"

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


def check_signal(expression, registered, order_status, status_msg, bypass=False):
    """The signal's status, status message and the webhook's answer."""
    if expression.is_problematic:
        return Verdict("error", "problematic ticker!", RECORDED_PROBLEMATIC)
    if bypass:
        return Verdict(order_status, status_msg, CREATED)
    if registered is None:
        return Verdict("error", "unknown ticker", RECORDED_UNKNOWN_OR_PASSIVE)
    if not registered.active:
        return Verdict("canceled", "passive ticker", RECORDED_UNKNOWN_OR_PASSIVE)
    if expression.kind == PAIR and abs(expression.hedge - registered.hedge) > HEDGE_TOLERANCE:
        return Verdict("canceled", "wrong hedge", RECORDED_UNKNOWN_OR_PASSIVE)
    return Verdict(order_status, status_msg, CREATED)
