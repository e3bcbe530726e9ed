import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signals.expressions import (
    PAIR,
    PROBLEMATIC,
    SINGLE,
    Expression,
    parse_expression,
    symbol_candidates,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("AAPL", Expression(SINGLE, "AAPL")),
        ("NASDAQ:AAPL", Expression(SINGLE, "AAPL")),
        ("1*AAPL", Expression(SINGLE, "AAPL")),
        ("AAPL*1.0", Expression(SINGLE, "AAPL")),
        ("BF.A", Expression(SINGLE, "BF.A")),
        ("EURUSD", Expression(SINGLE, "EURUSD")),
        ("FX:EURUSD", Expression(SINGLE, "EURUSD")),
        ("BINANCE:BTCUSDT", Expression(SINGLE, "BTCUSDT")),
        ("  AAPL  ", Expression(SINGLE, "AAPL")),
        ("NMFC-ROIC", Expression(PAIR, "NMFC", "ROIC", 1.0)),
        ("NMFC-0.75*ROIC", Expression(PAIR, "NMFC", "ROIC", 0.75)),
        ("NMFC-0.75*NASDAQ:ROIC", Expression(PAIR, "NMFC", "ROIC", 0.75)),
        ("NMFC-0.72*NASDAQ:ROIC", Expression(PAIR, "NMFC", "ROIC", 0.72)),
        ("LNT-FTS*1.25", Expression(PAIR, "LNT", "FTS", 1.25)),
        ("NYSE:LNT-1.25*NYSE:FTS", Expression(PAIR, "LNT", "FTS", 1.25)),
        ("NYSE:LNT-NYSE:FTS*1.25", Expression(PAIR, "LNT", "FTS", 1.25)),
        ("1*LNT-1.25*FTS", Expression(PAIR, "LNT", "FTS", 1.25)),
        ("LNT - 1.25 * FTS", Expression(PAIR, "LNT", "FTS", 1.25)),
        ("KO-.5*PEP", Expression(PAIR, "KO", "PEP", 0.5)),
        ("KO-2*PEP", Expression(PAIR, "KO", "PEP", 2.0)),
        ("BF.A-BF.B", Expression(PAIR, "BF.A", "BF.B", 1.0)),
        ("TSE:7203-0.5*TSE:6758", Expression(PAIR, "7203", "6758", 0.5)),
        ("CME_MINI:ES1!-NQ1!", Expression(PAIR, "ES1!", "NQ1!", 1.0)),
    ],
)
def test_well_formed_expressions(text, expected):
    assert parse_expression(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "LNT*2-FTS",  # leg 1 coefficient other than 1
        "2*LNT-FTS",
        "LNT-FTS/3",  # division
        "LNT-FTS-KO",  # three legs
        "LNT-",  # empty leg
        "-FTS",
        "LNT--FTS",
        "LNT-0*FTS",  # zero hedge
        "LNT-2*FTS*3",  # two coefficients on one leg
        "LNT+FTS",  # stray characters
        "LNT-(FTS)",
        "NYSE::LNT",
        ":LNT",
        "LNT-FTS*",
        "*LNT",
        "LNT*-1",
        "A" * 41,  # symbol too long
        "X" * 101,  # expression too long
        "{{ticker}}",  # an alert template not filled in
        "LNT\n-FTS\x00",
    ],
)
def test_problematic_expressions(text):
    assert parse_expression(text).kind == PROBLEMATIC


@pytest.mark.parametrize("value", [None, 42, 1.5, ["AAPL"], {"t": 1}])
def test_non_strings_are_problematic(value):
    assert parse_expression(value).kind == PROBLEMATIC


def test_symbol_candidates_exact_then_class_share():
    assert [c.symbol for c in symbol_candidates("BF.A")] == ["BF.A", "BF A"]
    assert [c.sectypes for c in symbol_candidates("BF.A")] == [None, None]
    assert [c.symbol for c in symbol_candidates("AAPL")] == ["AAPL"]


def test_symbol_candidates_currency_pairs_only_match_cash_or_crypto():
    candidates = symbol_candidates("EURUSD")
    assert candidates[0].symbol == "EURUSD" and candidates[0].sectypes is None
    assert candidates[1].symbol == "EUR.USD"
    assert candidates[1].sectypes == {"CASH", "CRYPTO"}
    assert "BTC.USDT" in [c.symbol for c in symbol_candidates("BTCUSDT")]
    assert "BTC.USD" in [c.symbol for c in symbol_candidates("BTCUSD")]


# Property tests ---------------------------------------------------------------------------


@given(st.text(max_size=150))
def test_parse_never_raises_on_any_string(text):
    result = parse_expression(text)
    assert result.kind in (SINGLE, PAIR, PROBLEMATIC)
    if result.kind == PAIR:
        assert result.hedge > 0


@given(st.text(alphabet="AZ09.:*-_ 1", max_size=30))
def test_parse_never_raises_on_expression_like_strings(text):
    parse_expression(text)


def format_expression(expression):
    """The canonical text of a parsed expression, to read back."""
    if expression.kind == SINGLE:
        return expression.symbol1
    return f"{expression.symbol1}-{expression.hedge:g}*{expression.symbol2}"


# Symbols start with a letter here: an all-digit symbol next to a coefficient ("2*7203") cannot be
# told apart from a coefficient, and TradingView writes such tickers with their exchange.
symbols = st.text(
    alphabet=string.ascii_uppercase + string.digits + "._", min_size=1, max_size=12
).filter(lambda s: s[0].isalpha())
exchanges = st.sampled_from(["", "NYSE:", "NASDAQ:", "BATS:", "FX_IDC:"])
hedges = st.decimals(min_value="0.001", max_value="1000", places=3).map(float)


@given(symbols, exchanges)
def test_every_single_reads_back(symbol, exchange):
    parsed = parse_expression(f"{exchange}{symbol}")
    assert parsed == Expression(SINGLE, symbol)
    assert parse_expression(format_expression(parsed)) == parsed


@given(symbols, symbols, exchanges, exchanges, hedges, st.booleans())
def test_every_pair_reads_back(symbol1, symbol2, exchange1, exchange2, hedge, coef_first):
    leg2 = f"{hedge}*{exchange2}{symbol2}" if coef_first else f"{exchange2}{symbol2}*{hedge}"
    parsed = parse_expression(f"{exchange1}{symbol1}-{leg2}")
    assert parsed == Expression(PAIR, symbol1, symbol2, hedge)
    assert parse_expression(format_expression(parsed)) == parsed
