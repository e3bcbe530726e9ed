import pytest
from django.test import Client

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
    for value in (1000, 1100, 1050):
        AccountSnapshot.objects.create(net_liquidation=value, available_funds=500)
    client = Client()
    client.login(username="trader", password=PASSWORD)
    html = client.get("/positions").content.decode()
    assert html.count('class="pair-row"') == 1
    assert "NMFC-ROIC" in html and "-452" in html and "-3.25" in html and "A-B" not in html
    assert html.count('class="single-row"') == 1 and "AAPL" in html and "IDLE" not in html
    assert "1,050" in html
    assert '<svg class="chart"' in html and html.count("<circle") == 3


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
    account = html[html.index('id="account"') :]
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
