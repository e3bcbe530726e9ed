import pytest
from django.test import Client

from instruments.models import Pair, Ticker
from pairsapi.testing import PASSWORD
from pnl.models import AccountSnapshot

pytestmark = pytest.mark.django_db


def test_positions_needs_login():
    response = Client().get("/positions")
    assert response.status_code == 302


def test_positions_shows_pairs_singles_account_and_chart(trader):
    Ticker.objects.create(symbol="NMFC", active_pos=603, active_pnl=12.5, active_cost=12.6)
    Ticker.objects.create(symbol="ROIC", active_pos=-452, active_pnl=-3.25, active_cost=15.55)
    Ticker.objects.create(symbol="AAPL", active=True, active_pos=10, active_pnl=4.5)
    Ticker.objects.create(symbol="IDLE")
    Pair.objects.create(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    Pair.objects.create(name="A-B", ticker1="A", ticker2="B", hedge=1)
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
