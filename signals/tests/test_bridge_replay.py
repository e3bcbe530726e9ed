"""The pairs-ibkr bridge's request shapes, replayed through the whole cycle.

The bridge never logs in: it reads the lists anonymously and writes with the passphrase, at full
URLs of its own configuration. It reads a signal, changes it and sends the whole JSON back; it
reports each leg's fills as cumulative quantity and average price, re-sending the whole day's
executions every few minutes; it reports positions and account snapshots. Each step asserts
what is stored, and every write the bridge makes must be taken: a refused write leaves a signal
waiting, and the bridge then cancels and re-places its orders at every poll.
"""

import pytest

from instruments.models import Ticker
from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client
from pnl.models import AccountSnapshot
from signals.models import Signal

pytestmark = pytest.mark.django_db

# The bridge's settings are full URLs, not one base address.
API_GET_SIGNAL_WAITING = "/v3/signals/status/waiting/0"
API_GET_SIGNAL = "/v3/signal/"
API_PUT_SIGNAL = "/v3/webhook"
API_PUT_UPDATE = "/v3/signal/updateorder"
API_UPDATE_PNL = "/v3/ticker/updatepnl"
API_PUT_PNL = "/v3/regpnl"
API_GET_PNL = "/v3/pnl/1"
PASSPHRASE = "webhook"

# Two after-hours warnings from the broker, as the bridge writes them into error_msg.
AFTER_HOURS_WARNINGS = (
    "Error 7 399 Order Message: BUY 603 NMFC NASDAQ.NMS Warning: your order will not be placed "
    "at the exchange until 2026-11-25 09:30:00 US/Eastern | Error 8 399 Order Message: SELL 452 "
    "ROIC NYSE Warning your order will not be placed at the exchange until 2026-11-25 "
    "09:30:00 US/Eastern"
)


class Bridge:
    """Sends what pairs-ibkr sends, and insists, as the bridge's loop does, that each write is
    taken."""

    def __init__(self):
        self.http = V3Client()

    def waiting(self):
        return self.http.get(API_GET_SIGNAL_WAITING).json()["signals"]

    def read(self, rowid):
        return self.http.get(f"{API_GET_SIGNAL}{rowid}").json()

    def write_back(self, signal, **changes):
        body = {**signal, "passphrase": PASSPHRASE, **changes}
        return self._taken(self.http.put(API_PUT_SIGNAL, body, format="json"))

    def report(self, order_id, symbol, price, filled_qty):
        body = {"order_id": order_id, "symbol": symbol, "price": price, "filled_qty": filled_qty}
        return self._taken(
            self.http.put(API_PUT_UPDATE, {"passphrase": PASSPHRASE, **body}, format="json")
        )

    def cancel(self, order_id, symbol):
        body = {"order_id": order_id, "symbol": symbol, "price": -1, "filled_qty": -1}
        return self._taken(
            self.http.put(
                API_PUT_UPDATE, {"passphrase": PASSPHRASE, **body, "cancel": True}, format="json"
            )
        )

    def position(self, symbol, **figures):
        body = {"passphrase": PASSPHRASE, "symbol": symbol, **figures}
        return self._taken(self.http.put(API_UPDATE_PNL, body, format="json"))

    def account(self, **figures):
        response = self.http.post(API_PUT_PNL, {"passphrase": PASSPHRASE, **figures}, format="json")
        return self._taken(response)

    @staticmethod
    def _taken(response):
        assert response.status_code in (200, 201), response.content
        return response.json()


def alert(ticker, action="buy", contracts=603, price=0.98, **fields):
    body = {
        "passphrase": PASSPHRASE,
        "ticker": ticker,
        "order_action": action,
        "order_contracts": contracts,
        "order_price": price,
        **fields,
    }
    response = V3Client().post("/v3/webhook", body, format="json")
    assert response.status_code == 201, response.content
    return Signal.objects.order_by("-rowid").first().rowid


def stored(rowid):
    return V3Client().get(f"{API_GET_SIGNAL}{rowid}").json()


@pytest.fixture
def bridge():
    return Bridge()


@pytest.fixture
def book():
    """The trader's instruments: a pair, a stock single, a forex single."""
    TickerFactory(symbol="NMFC", prixch="NASDAQ")
    TickerFactory(symbol="ROIC")
    PairFactory(ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)
    TickerFactory(symbol="AAPL", active=True, prixch="NASDAQ")
    TickerFactory(symbol="EUR.USD", sectype="CASH", xch="IDEALPRO", active=True)


def test_a_funds_check_cancel_sent_as_a_one_element_list_lets_the_next_signal_through(book, bridge):
    exit_signal = alert("AAPL", action="sell", contracts=100, price=400.2)
    entry = alert("NMFC-0.75*ROIC")
    # The bridge takes the newest waiting signal first; its funds check says no.
    newest = bridge.waiting()[0]
    assert newest["rowid"] == entry
    bridge.write_back(newest, order_status=["canceled"], status_msg="insufficient funds")
    assert (stored(entry)["order_status"], stored(entry)["status_msg"]) == (
        "canceled",
        "insufficient funds",
    )
    # The older exit behind it is next, and is placed.
    assert [s["rowid"] for s in bridge.waiting()] == [exit_signal]
    bridge.write_back(bridge.read(exit_signal), order_id1=31, order_status="created")
    assert bridge.report(31, "AAPL", 401.0, 100)["order_status"] == "filled"
    assert bridge.waiting() == []


def test_after_hours_warnings_with_both_order_ids_are_stored_and_the_fills_find_the_orders(
    book, bridge
):
    assert len(AFTER_HOURS_WARNINGS) == 281
    rowid = alert("NMFC-0.75*NASDAQ:ROIC")
    signal = bridge.read(rowid)
    bridge.write_back(
        signal,
        order_id1=7,
        order_id2=8,
        order_status="created",
        error_msg=AFTER_HOURS_WARNINGS,
    )
    after = stored(rowid)
    assert (after["order_id1"], after["order_id2"], after["error_msg"]) == (
        7,
        8,
        AFTER_HOURS_WARNINGS,
    )
    assert bridge.waiting() == []
    # At the next poll the bridge finds its orders by id: no cancel, no second placing.
    assert bridge.report(7, "NMFC", 12.6, 603)["order_status"] == "filled(...)"
    done = bridge.report(8, "ROIC", 15.55, 452)
    assert (done["order_status"], done["fill_price"], done["slip"]) == ("filled", 0.9375, 0.0425)


def test_a_broker_message_past_4000_characters_is_cut_and_stored_with_the_order_ids(book, bridge):
    rowid = alert("AAPL", contracts=100, price=400.2)
    bridge.write_back(
        bridge.read(rowid),
        order_id1=41,
        order_status="created",
        error_msg="W" * 5000,
        status_msg="S" * 4001,
    )
    after = stored(rowid)
    assert after["order_id1"] == 41
    assert after["error_msg"] == "W" * 4000 and after["status_msg"] == "S" * 4000


def test_forex_fills_and_positions_reported_by_base_currency_reach_the_forex_ticker(book, bridge):
    rowid = alert("EURUSD", contracts=20000, price=1.0842)
    signal = bridge.read(rowid)
    assert signal["ticker1"] == "EUR.USD"
    bridge.write_back(signal, order_id1=51, order_status="created")
    part = bridge.report(51, "EUR", 1.0840, 5000)
    assert (part["rowid"], part["order_status"], part["status_msg"]) == (
        rowid,
        "part.filled",
        "remained: 15000",
    )
    done = bridge.report(51, "EUR", 1.0841, 20000)
    assert (done["order_status"], done["fill_price"], done["status_msg"]) == (
        "filled",
        1.0841,
        "",
    )
    ticker = bridge.position("EUR", active_pos=20000, active_pnl=-3.5, active_cost=1.0841)
    assert (ticker["symbol"], ticker["active_pos"]) == ("EUR.USD", 20000)
    # A later exit sees the position, so the bridge does not cancel it as "+synced".
    exit_rowid = alert("EURUSD", action="sell", contracts=20000, price=1.09)
    assert V3Client().get("/v3/ticker/EUR.USD").json()["active_pos"] == 20000
    bridge.write_back(bridge.read(exit_rowid), order_id1=52, order_status="created")
    assert bridge.report(52, "EUR", 1.09, 20000)["order_status"] == "filled"
    bridge.position("EUR", active_pos=0, active_pnl=0, active_cost=0)
    assert Ticker.objects.get(symbol="EUR.USD").active_pos == 0


def test_a_base_currency_shared_by_two_forex_tickers_is_a_400_naming_them(book, bridge):
    TickerFactory(symbol="EUR.GBP", sectype="CASH")
    response = bridge.http.put(
        API_UPDATE_PNL, {"passphrase": PASSPHRASE, "symbol": "EUR", "active_pos": 1}, format="json"
    )
    assert response.status_code == 400
    assert "EUR.GBP, EUR.USD" in response.json()["message"]
    assert set(Ticker.objects.values_list("active_pos", flat=True)) == {0}
    # A fill names its order, so the base currency still finds the one leg it can mean.
    rowid = alert("EURUSD", contracts=1000, price=1.08)
    bridge.write_back(bridge.read(rowid), order_id1=61, order_status="created")
    assert bridge.report(61, "EUR", 1.08, 1000)["order_status"] == "filled"


def test_a_symbol_naming_no_forex_base_is_still_a_404(book, bridge):
    rowid = alert("AAPL", contracts=100, price=400.2)
    bridge.write_back(bridge.read(rowid), order_id1=71, order_status="created")
    for symbol in ("USD", "EU", "AAP"):
        response = bridge.http.put(
            API_PUT_UPDATE,
            {
                "passphrase": PASSPHRASE,
                "order_id": 71,
                "symbol": symbol,
                "price": 1,
                "filled_qty": 1,
            },
            format="json",
        )
        assert response.status_code == 404
    assert stored(rowid)["order_status"] == "created"


def test_executions_sent_again_leave_a_canceled_signal_canceled(book, bridge):
    rowid = alert("NMFC-0.75*ROIC")
    bridge.write_back(bridge.read(rowid), order_id1=7, order_id2=8, order_status="created")
    day = [(7, "NMFC", 12.6, 300), (8, "ROIC", 15.55, 100), (7, "NMFC", 12.61, 400)]
    for execution in day:
        bridge.report(*execution)
    part = stored(rowid)
    assert (part["order_status"], part["status_msg"]) == (
        "part.filled",
        "remained(NMFC): 203 | remained(ROIC): 352",
    )
    canceled = bridge.cancel(8, "ROIC")
    assert (canceled["order_status"], canceled["status_msg"]) == (
        "canceled",
        "(*)part.filled | remained(NMFC): 203 | remained(ROIC): 352",
    )
    # Five minutes later, and five more: the whole day's executions again.
    for _ in range(2):
        for execution in day:
            again = bridge.report(*execution)
            assert again == canceled
    assert stored(rowid) == canceled


def test_filling_clears_remained_and_an_overfill_is_flagged_not_swallowed(book, bridge):
    rowid = alert("NMFC-0.75*ROIC")
    bridge.write_back(bridge.read(rowid), order_id1=7, order_id2=8, order_status="created")
    bridge.report(7, "NMFC", 12.6, 603)
    part = bridge.report(8, "ROIC", 15.55, 100)
    assert part["status_msg"] == "remained(ROIC): 352"
    filled = bridge.report(8, "ROIC", 15.55, 452)
    assert (filled["order_status"], filled["status_msg"]) == ("filled", "")
    over = bridge.report(8, "ROIC", 15.55, 99999)
    assert (over["order_status"], over["filled_qty2"], over["status_msg"]) == (
        "filled",
        99999,
        "overfilled(ROIC): 99547",
    )
    single = alert("AAPL", contracts=100, price=400.2)
    bridge.write_back(bridge.read(single), order_id1=81, order_status="created")
    assert bridge.report(81, "AAPL", 400.0, 20)["status_msg"] == "remained: 80"
    assert bridge.report(81, "AAPL", 400.0, 100)["status_msg"] == ""


def test_positions_and_account_snapshots_as_the_bridge_sends_them(book, bridge):
    bridge.position("NMFC", active_pos=603, active_pnl=12.5, active_cost=12.6)
    # A partial report: the figures left out keep their values.
    bridge.position("NMFC", active_pnl=14.0)
    nmfc = Ticker.objects.get(symbol="NMFC")
    assert (nmfc.active_pos, nmfc.active_pnl, nmfc.active_cost) == (603, 14.0, 12.6)
    bridge.account(NetLiquidation=62588, AvailableFunds=31000, DailyPnL=268.9)
    bridge.account()  # the bridge's empty snapshot: only the passphrase
    newest = V3Client().get(API_GET_PNL).json()["signals"][0]
    assert (newest["NetLiquidation"], newest["DailyPnL"]) == (None, -1)
    assert AccountSnapshot.objects.count() == 2


def test_no_write_in_this_replay_left_a_signal_waiting(book, bridge):
    """The whole day in one: every kind of write above, then nothing waits."""
    rowids = [alert("NMFC-0.75*ROIC"), alert("AAPL", contracts=100), alert("EURUSD", contracts=10)]
    for rowid, order_ids in zip(rowids, [(7, 8), (9, None), (10, None)], strict=True):
        bridge.write_back(
            bridge.read(rowid),
            order_id1=[order_ids[0]],
            order_id2=order_ids[1],
            order_status=["created"],
            error_msg=AFTER_HOURS_WARNINGS,
        )
    assert bridge.waiting() == []
    assert Signal.objects.filter(order_status="created").count() == 3
