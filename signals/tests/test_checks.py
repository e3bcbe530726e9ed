import pytest

from signals.checks import (
    CREATED,
    RECORDED_PROBLEMATIC,
    RECORDED_UNKNOWN_OR_PASSIVE,
    Registered,
    Verdict,
    check_signal,
)
from signals.expressions import parse_expression

ACTIVE_PAIR = Registered(active=True, hedge=0.75)


@pytest.mark.parametrize(
    "text, registered, bypass, verdict",
    [
        ("LNT*2-FTS", None, False, Verdict("error", "problematic ticker!", RECORDED_PROBLEMATIC)),
        (
            "LNT*2-FTS",
            ACTIVE_PAIR,
            True,
            Verdict("error", "problematic ticker!", RECORDED_PROBLEMATIC),
        ),
        ("AAPL", None, False, Verdict("error", "unknown ticker", RECORDED_UNKNOWN_OR_PASSIVE)),
        ("A-0.75*B", None, False, Verdict("error", "unknown ticker", RECORDED_UNKNOWN_OR_PASSIVE)),
        (
            "AAPL",
            Registered(active=False),
            False,
            Verdict("canceled", "passive ticker", RECORDED_UNKNOWN_OR_PASSIVE),
        ),
        (
            "A-0.75*B",
            Registered(active=False, hedge=0.75),
            False,
            Verdict("canceled", "passive ticker", RECORDED_UNKNOWN_OR_PASSIVE),
        ),
        (
            "A-0.7*B",
            ACTIVE_PAIR,
            False,
            Verdict("canceled", "wrong hedge", RECORDED_UNKNOWN_OR_PASSIVE),
        ),
        ("A-0.75*B", ACTIVE_PAIR, False, Verdict("waiting", "note", CREATED)),
        ("AAPL", Registered(active=True), False, Verdict("waiting", "note", CREATED)),
        # bypass_ticker_status skips the registry checks.
        ("AAPL", None, True, Verdict("waiting", "note", CREATED)),
        ("A-0.7*B", ACTIVE_PAIR, True, Verdict("waiting", "note", CREATED)),
        (
            "A-0.75*B",
            Registered(active=False, hedge=0.75),
            True,
            Verdict("waiting", "note", CREATED),
        ),
    ],
)
def test_check_table(text, registered, bypass, verdict):
    assert check_signal(parse_expression(text), registered, "waiting", "note", bypass) == verdict
