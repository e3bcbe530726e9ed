from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import PASSWORD
from pnl.models import AccountSnapshot

pytestmark = pytest.mark.django_db


def test_positions_needs_login():
    response = Client().get("/positions")
    assert response.status_code == 302


def test_positions_shows_pairs_singles_account_and_chart(trader):
    TickerFactory(symbol="NMFC", active_pos=603, active_pnl=12.5, active_cost=12.6)
    TickerFactory(symbol="ROIC", active_pos=-452, active_pnl=-3.25, active_cost=15.55)
    TickerFactory(symbol="AAPL", active=True, active_pos=10, active_pnl=4.5)
    TickerFactory(symbol="IDLE")
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    PairFactory(ticker1="A", ticker2="B", hedge=1)
    now = timezone.now()
    for hours, value in ((3, 1000), (2, 1100), (1, 1050)):
        AccountSnapshot.objects.create(
            timestamp=now - timedelta(hours=hours), net_liquidation=value, available_funds=500
        )
    client = Client()
    client.login(username="trader", password=PASSWORD)
    html = client.get("/positions").content.decode()
    assert html.count('class="pair-row"') == 1
    assert "NMFC-ROIC" in html and "-452" in html and "-3.25" in html and "A-B" not in html
    assert html.count('class="single-row"') == 1 and "AAPL" in html and "IDLE" not in html
    assert "1,050" in html
    net = html[html.index('aria-label="net liquidation"') : html.index("</svg>")]
    assert net.count("<circle") == 3
    drawdown = html[html.index('aria-label="drawdown"') :]
    assert "<title>drawdown</title>" in drawdown and "-50</text>" in drawdown  # 1,100 → 1,050


def test_positions_empty_book(trader):
    client = Client()
    client.login(username="trader", password=PASSWORD)
    html = client.get("/positions").content.decode()
    assert "No active pairs." in html and "No account snapshot yet." in html
    assert "No data for the net liquidation chart yet." in html


def _positions_page():
    client = Client()
    client.login(username="trader", password=PASSWORD)
    return client.get("/positions").content.decode()


def test_an_empty_snapshot_does_not_replace_the_real_figures(trader):
    AccountSnapshot.objects.create(net_liquidation=62588, daily_pnl=268.9, available_funds=31000)
    AccountSnapshot.objects.create()  # POST /v3/regpnl with only the passphrase
    html = _positions_page()
    assert "62,588" in html and "268.9" in html and "31,000" in html


def test_the_brokers_unknown_figures_are_shown_as_unknown_never_as_money(trader):
    AccountSnapshot.objects.create(net_liquidation=62588, daily_pnl=-1, realized_pnl=-1)
    html = _positions_page()
    account = html[html.index('id="account"') : html.index("</table>", html.index('id="account"'))]
    assert account.count(">unknown<") == 7  # the three PnL figures at -1, four figures null
    assert ">-1<" not in account


def test_an_inactive_ticker_holding_a_position_is_shown_and_marked(trader):
    TickerFactory(symbol="AAPL", active=True, active_pos=10)
    TickerFactory(symbol="MSFT", active=False, active_pos=-25, active_pnl=-7.5)
    TickerFactory(symbol="IDLE", active=False, active_pos=0)
    # A leg of an inactive pair, still holding shares.
    TickerFactory(symbol="KO", active_pos=40)
    PairFactory(ticker1="KO", ticker2="PEP", hedge=0.5, status=False)
    html = _positions_page()
    singles = html[html.index('id="singles"') : html.index("</table>", html.index('id="singles"'))]
    assert singles.count('class="single-row"') == 1  # AAPL, active
    assert singles.count('class="single-row inactive"') == 2  # MSFT and KO
    assert "MSFT" in singles and "-25" in singles and "-7.5" in singles and "KO" in singles
    assert singles.count(">inactive</span>") == 2
    assert "IDLE" not in html


def test_a_leg_of_an_active_pair_is_shown_once_under_its_pair(trader):
    TickerFactory(symbol="NMFC", active_pos=603)
    TickerFactory(symbol="ROIC", active_pos=-452)
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    html = _positions_page()
    assert html.count("-452") == 1
    assert "No active single tickers and no other open positions." in html


def test_pairs_sum_their_legs_totals_add_up_and_pnl_is_coloured(trader):
    TickerFactory(symbol="NMFC", active_pos=603, active_pnl=12.5)
    TickerFactory(symbol="ROIC", active_pos=-452, active_pnl=-3.25)
    TickerFactory(symbol="AAPL", active=True, active_pos=10, active_pnl=-4.5)
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    html = _positions_page()
    assert '<td>both legs</td><td></td><td class="num gain">9.25</td>' in html
    assert '<td class="num loss">-3.25</td>' in html
    assert 'All singles</th><th class="num loss">-4.5</th>' in html
    assert 'of everything shown: <strong class="gain">4.75</strong>' in html


def test_slippage_is_averaged_by_instrument_and_by_local_hour(trader, settings):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from signals.tests.factories import make_single

    settings.DISPLAY_TIME_ZONE = "America/New_York"
    today = timezone.now().astimezone(UTC).date()
    at = datetime(today.year, today.month, today.day, 14, 30, tzinfo=UTC)  # 9 or 10 in New York
    make_single("AAPL", timestamp=at, slip=0.02)
    make_single("AAPL", timestamp=at, slip=-0.04)
    make_single("MSFT", timestamp=at, slip=None)
    html = _positions_page()
    by_instrument = html[html.index('id="slip-by-instrument"') :]
    assert '<td>AAPL</td><td class="num loss">-0.0100</td><td class="num">2</td>' in by_instrument
    assert "MSFT" not in by_instrument[: by_instrument.index("</table>")]
    hour = at.astimezone(ZoneInfo("America/New_York")).hour
    assert f"<td>{hour:02d}:00</td>" in html[html.index('id="slip-by-hour"') :]


def test_the_time_from_alert_to_fill_is_told_in_seconds(trader):
    from signals.tests.factories import make_single

    alerted = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    for seconds in (1, 2, 3, 4, 30):
        make_single(
            timestamp=alerted,
            order_status="filled",
            filled_at=alerted + timedelta(seconds=seconds),
        )
    html = _positions_page()
    assert "Over the last 5 fills: median <strong>3.0 s</strong>" in html
    assert "longest 30.0 s" in html


def test_a_pair_whose_legs_are_not_registered_shows_without_figures(trader):
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)  # no tickers for them
    html = _positions_page()
    assert "NMFC-ROIC" in html
    assert '<td>both legs</td><td></td><td class="num ">0</td>' in html


def test_positions_are_shown_while_the_cache_is_down(trader, settings, monkeypatch):
    from pairsapi.counters import redis_outage

    monkeypatch.setattr(redis_outage, "until", 0.0)  # and back to no outage afterwards
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    AccountSnapshot.objects.create(timestamp=timezone.now(), net_liquidation=1234)
    client = Client()
    client.login(username="trader", password=PASSWORD)
    for _ in range(2):  # the second read does not try Redis again
        response = client.get("/positions")
        assert response.status_code == 200
        assert "1,234" in response.content.decode()
    assert redis_outage.ongoing()
