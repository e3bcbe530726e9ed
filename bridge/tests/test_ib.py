"""The Interactive Brokers broker on the real wire: the real ib_async client over TCP against
the TWS stand-in (``tws.py``), and the bridge writing back to the service's own views.

First what a ticker means to IB (pure), then each way IB's real behaviour used to cost a fill
or an order: an error ib_async takes for a cancel, pair legs unlinked and limits invented, fills
under IB's spelling, one refused write-back stopping every report, orders of another client id,
corrected executions, flat positions and a frozen account, stale signals and stacked orders,
unqualified contracts, TWS cut off from IB, several accounts, dropped connections."""

import time

import pytest

from bridge.brokers.base import CANCELED, FILLED, OPEN, BrokerUnavailable
from bridge.brokers.ib import (
    IBBroker,
    account_figures,
    contract_for,
    hedge_child_for,
    newest_versions,
    order_for,
    spellings_of,
)
from bridge.engine import Bridge
from bridge.orders import Instrument, LegOrder, OrderRefused
from bridge.tests.conftest import post_alert
from bridge.tests.loop import until
from bridge.tests.tws import TWS
from instruments.models import Ticker
from pairsapi.testing import V3Client
from pnl.models import AccountSnapshot
from signals.models import Signal

STOCK = Instrument("STK", "SMART", "NASDAQ", "USD", "MARKET")


def leg(symbol="AAPL", instrument=STOCK, ref="pairs-1-leg1", action="BUY", quantity=100, **more):
    rowid, number = int(ref.split("-")[1]), int(ref[-1])
    return LegOrder(ref, rowid, number, symbol, action, quantity, instrument, **more)


# --- contracts and orders (pure)


def test_a_stock_is_routed_by_its_exchanges_and_class_shares_take_ibs_spelling():
    contract = contract_for(leg("AAPL"))
    assert (contract.secType, contract.symbol, contract.exchange) == ("STK", "AAPL", "SMART")
    assert (contract.primaryExchange, contract.currency) == ("NASDAQ", "USD")
    nyse = Instrument("STK", "SMART", "NYSE", "USD")
    assert contract_for(leg("BF A", nyse)).symbol == "BF A"
    assert contract_for(leg("BF.A", nyse)).symbol == "BF A"  # TradingView's spelling
    assert contract_for(leg("SHOP", Instrument("STK", "TSE", "", "CAD"))).exchange == "TSE"


@pytest.mark.parametrize("symbol", ["EUR.USD", "EURUSD", "eur.usd"])
def test_forex_is_a_cash_contract_on_idealpro(symbol):
    contract = contract_for(leg(symbol, Instrument("CASH", "SMART", "", "USD")))
    assert (contract.secType, contract.symbol, contract.currency) == ("CASH", "EUR", "USD")
    assert contract.exchange == "IDEALPRO"
    assert spellings_of(contract) == ("EURUSD", "EUR.USD", "EUR")


@pytest.mark.parametrize("symbol", ["EURUS", "EUR.US", "EU.USD", "12345"])
def test_a_badly_spelt_currency_pair_is_refused_in_words(symbol):
    with pytest.raises(OrderRefused, match="is not a currency pair"):
        contract_for(leg(symbol, Instrument("CASH", "SMART", "", "USD")))


def test_crypto_goes_to_paxos_unless_the_ticker_names_an_exchange():
    contract = contract_for(leg("BTC.USD", Instrument("CRYPTO", "SMART", "", "USD")))
    assert (contract.secType, contract.symbol, contract.exchange) == ("CRYPTO", "BTC", "PAXOS")
    assert spellings_of(contract) == ("BTC", "BTC.USD", "BTCUSD")
    other = contract_for(leg("ETH", Instrument("CRYPTO", "ZEROHASH", "", "USD")))
    assert (other.symbol, other.currency, other.exchange) == ("ETH", "USD", "ZEROHASH")


@pytest.mark.parametrize(
    ("sectype", "order_type", "tick", "expected"),
    [
        ("STK", "MARKET", 0.01, ("MKT", None, "DAY")),
        ("STK", "MKT", 0.01, ("MKT", None, "DAY")),
        ("STK", "LIMIT", 0.01, ("LMT", 190.13, "DAY")),
        ("STK", "RELATIVE", 0.01, ("REL", None, "DAY")),
        ("CASH", "RELATIVE", 5e-05, ("MKT", None, "DAY")),  # IDEALPRO takes no relative orders
        ("CASH", "LMT", 5e-05, ("LMT", 190.12535, "DAY")),
        ("CASH", "LMT", 0.005, ("LMT", 190.125, "DAY")),  # a yen pair's tick
        ("CRYPTO", "RELATIVE", 0.25, ("LMT", 190.25, "IOC")),
        ("CRYPTO", "MARKET", 0.25, ("MKT", None, "IOC")),
    ],
)
def test_the_order_type_and_tick_come_from_the_contract_and_the_tif_is_always_sent(
    sectype, order_type, tick, expected
):
    instrument = Instrument(sectype, "SMART", "", "USD", order_type)
    order = order_for(leg("X", instrument, action="SELL", quantity=7, limit=190.12537), tick, "DU1")
    limit = order.lmtPrice if order.orderType == "LMT" else None
    assert (order.orderType, limit, order.tif) == expected
    assert (order.action, order.totalQuantity) == ("SELL", 7)
    assert (order.orderRef, order.account) == ("pairs-1-leg1", "DU1")
    if order.orderType == "REL":
        assert order.auxPrice == 0  # pegged to the primary quote, no offset
    assert order_for(leg("X", Instrument(tif="GTC"))).tif == "GTC"  # the ticker's own TIF


def test_a_limit_order_without_the_alerts_price_is_refused():
    with pytest.raises(OrderRefused, match="needs the alert's price"):
        order_for(leg(instrument=Instrument(order_type="LIMIT")))


def test_leg_two_of_a_pair_is_ibs_pair_hedge_child_of_leg_one():
    child = hedge_child_for(leg("ROIC", ref="pairs-1-leg2", action="SELL", hedge=0.75), 41)
    assert (child.orderType, child.parentId, child.hedgeType, child.hedgeParam) == (
        "MKT",
        41,
        "P",
        "0.75",
    )
    assert (child.tif, child.orderRef, child.transmit) == ("DAY", "pairs-1-leg2", True)


def test_a_corrected_execution_counts_in_its_newest_version_only():
    class Fill:
        def __init__(self, exec_id):
            self.execution = type("Execution", (), {"execId": exec_id})

    fills = [Fill(f) for f in ("0001.6571a5.01.01", "0001.6571a5.01.02", "0002.6571a5.01.01")]
    assert {f.execution.execId for f in newest_versions(fills)} == {
        "0001.6571a5.01.02",
        "0002.6571a5.01.01",
    }


def test_account_figures_prefer_the_base_currency_and_leave_the_unsent_unknown():
    class Value:
        def __init__(self, tag, value, currency):
            self.tag, self.value, self.currency = tag, value, currency

    values = [
        Value("NetLiquidation", "1000.5", "USD"),
        Value("UnrealizedPnL", "10", "USD"),
        Value("UnrealizedPnL", "12", "BASE"),
        Value("BuyingPower", "", "USD"),  # IB sends blanks
        Value("Cushion", "0.9", ""),  # not a figure the service keeps
    ]
    figures = account_figures(values, float("nan"))
    assert figures["NetLiquidation"] == 1000.5
    assert figures["UnrealizedPnL"] == 12
    assert figures["BuyingPower"] == figures["RealizedPnL"] == figures["DailyPnL"] == -1
    assert "Cushion" not in figures
    assert account_figures([], 3.5)["DailyPnL"] == 3.5


# --- on the wire


@pytest.fixture
def tws():
    with TWS() as running:
        yield running


def connect(tws, client_id=7, account="", wait=5.0):
    return IBBroker(port=tws.port, client_id=client_id, account=account, timeout=3).start(wait)


@pytest.fixture
def broker(tws):
    running = connect(tws)
    assert running.ready.is_set()
    yield running
    running.close()


@pytest.fixture
def bridge(service, broker):
    return Bridge(service, broker, refresh_every=3600)


def signal(rowid):
    return Signal.objects.get(rowid=rowid)


def ref(rowid, number=1):
    return f"pairs-{rowid}-leg{number}"


def placed(bridge, **alert_fields):
    """An alert through the webhook, taken by the bridge: its row id."""
    rowid = post_alert(**alert_fields)
    bridge.take(signal_json(bridge, rowid))
    return rowid


def signal_json(bridge, rowid):
    return bridge.client.signal(rowid)


AAPL = {"ticker": "NASDAQ:AAPL", "order_contracts": 10, "order_price": 190.0}
pytestmark = pytest.mark.django_db


def test_every_order_goes_out_with_its_tif_so_tws_applies_no_preset(tws, bridge):
    rowid = placed(bridge, **AAPL)
    assert tws.order(ref(rowid)).tif == "DAY"
    bridge.report()
    assert signal(rowid).order_status == "created"
    assert not signal(rowid).error_msg  # no 10349 came back


def test_an_order_ib_async_cancels_on_an_error_is_confirmed_live_and_its_fills_reported(
    tws, broker, bridge
):
    rowid = placed(bridge, **AAPL)
    tws.warn(ref(rowid), 10349)  # as TWS says of an order sent without a TIF
    trade = next(t for t in broker.ib.trades() if t.order.orderRef == ref(rowid))
    assert until(lambda: trade.orderStatus.status == "Cancelled")  # ib_async's own idea
    bridge.report()
    assert broker.find(ref(rowid)).status == OPEN  # TWS listed it open when asked
    assert signal(rowid).order_status == "created"
    assert "10349" in signal(rowid).error_msg  # IB's words shown, the order left alone
    tws.fill(ref(rowid), 10, 190.05)
    assert until(lambda: broker.find(ref(rowid)).status == FILLED)
    bridge.report()
    assert (signal(rowid).order_status, signal(rowid).price1) == ("filled", 190.05)


@pytest.mark.parametrize(
    ("inject", "words"),
    [
        (lambda tws, r: tws.reject(r, 201, "no trading permissions"), "201 Order rejected"),
        (lambda tws, r: tws.reject(r, 10289), "10289 Failed to place order"),
        (lambda tws, r: tws.cancel(r), "202 Order Canceled"),
    ],
)
def test_an_order_ib_refuses_or_cancels_is_written_canceled_with_ibs_words(
    tws, broker, bridge, inject, words
):
    rowid = placed(bridge, **AAPL)
    inject(tws, ref(rowid))
    assert until(lambda: broker.find(ref(rowid)).status == CANCELED)
    bridge.report()
    assert signal(rowid).order_status == "canceled"
    assert signal(rowid).error_msg.startswith(words)


def test_a_399_warning_is_kept_and_the_order_stays_live(tws, broker, bridge):
    rowid = placed(bridge, **AAPL)
    tws.warn(ref(rowid), 399)
    assert until(lambda: "399" in broker.find(ref(rowid)).message)
    bridge.report()
    assert signal(rowid).order_status == "created"
    assert signal(rowid).error_msg.startswith("399 Order Message")


def test_a_pair_goes_as_ibs_pair_hedge_with_its_limit_from_the_alert(tws, broker, bridge):
    Ticker.objects.filter(symbol="NMFC").update(order_type="LIMIT")
    V3Client().post(
        "/v3/price", {"passphrase": "webhook", "ticker": "ROIC", "price": 15.0}, format="json"
    )
    rowid = placed(bridge)  # NMFC-0.75*ROIC, buy 603 at a spread of 0.98
    leg1, leg2 = tws.order(ref(rowid, 1)), tws.order(ref(rowid, 2))
    assert (leg1.order_type, float(leg1.limit), leg1.quantity) == ("LMT", 12.23, 603)
    assert (leg2.order_type, leg2.action, leg2.quantity) == ("MKT", "SELL", 452)
    assert (leg2.parent_id, leg2.hedge_type, leg2.hedge_param) == (leg1.order_id, "P", "0.75")
    assert leg1.status == leg2.status == "Submitted"  # leg 1 went out with its hedge
    with pytest.raises(AssertionError, match="works as its parent fills"):
        tws.fill(ref(rowid, 2), 1, 15.0)  # IB fills no hedge before its parent
    tws.fill(ref(rowid, 1), 300, 12.2)
    tws.fill(ref(rowid, 2), 225, 15.0)
    tws.fill(ref(rowid, 1), 303, 12.23)
    tws.fill(ref(rowid, 2), 227, 15.01)
    assert until(lambda: broker.find(ref(rowid, 2)).status == FILLED)
    bridge.report()
    assert (signal(rowid).filled_qty1, signal(rowid).filled_qty2) == (603, 452)
    assert signal(rowid).order_status == "filled"


def test_a_limit_pair_with_no_price_for_leg_two_is_an_error_not_a_guess(tws, bridge):
    Ticker.objects.filter(symbol="NMFC").update(order_type="LIMIT")
    rowid = placed(bridge)
    assert signal(rowid).order_status == "error"
    assert "no price is known for ROIC" in signal(rowid).error_msg
    assert tws.orders == []


def test_fills_and_positions_are_reported_under_the_signals_own_spelling(tws, broker, bridge):
    rowid = placed(bridge, ticker="FX:USDJPY", order_contracts=20000, order_price=150.1234)
    order = tws.order(ref(rowid))
    assert (order.listing.local_symbol, float(order.limit)) == ("USD.JPY", 150.125)  # its tick
    tws.fill(ref(rowid), 20000, 150.12)
    crypto = placed(bridge, ticker="BTC", order_contracts=2, order_price=90_000.1)
    assert tws.order(ref(crypto)).tif == "IOC"
    tws.fill(ref(crypto), 2, 90_000.0)
    assert until(lambda: broker.find(ref(crypto)).status == FILLED)
    bridge.report()
    assert (signal(rowid).order_status, signal(rowid).price1) == ("filled", 150.12)
    assert signal(crypto).order_status == "filled"
    assert Ticker.objects.get(symbol="USDJPY").active_pos == 20000
    assert Ticker.objects.get(symbol="BTC").active_pos == 2


def test_a_position_of_a_contract_no_signal_named_is_found_by_its_spellings(tws, service):
    # Opened by an earlier bridge: this one qualified nothing and knows no leg for it.
    first = connect(tws, client_id=3)
    Bridge(service, first).take(signal_json_of(service, ticker="FX:EURUSD", order_contracts=5))
    first.close()
    tws.fill(tws.orders[0].ref, 5, 1.08)
    broker = connect(tws, client_id=4)
    try:
        Bridge(service, broker, refresh_every=0).report()
    finally:
        broker.close()
    assert Ticker.objects.get(symbol="EUR.USD").active_pos == 5


def signal_json_of(service, **alert_fields):
    return service.signal(post_alert(**alert_fields))


def test_a_refused_write_back_drops_that_order_and_the_others_are_reported(tws, service):
    broker = connect(tws)
    bridge = Bridge(service, broker, refresh_every=3600)
    try:
        gone = placed(bridge, **AAPL)
        kept = placed(bridge, **{**AAPL, "order_price": 191.0})
        Signal.objects.filter(rowid=gone).delete()  # staff deleted it
        tws.fill(ref(gone), 10, 190.0)
        tws.fill(ref(kept), 10, 191.0)
        assert until(lambda: broker.find(ref(kept)).status == FILLED)
        bridge.report()  # the 404 on the first does not stop the second
        assert signal(kept).order_status == "filled"
        assert ref(gone) not in bridge.unreported
    finally:
        broker.close()
    restarted = connect(tws)
    try:
        Bridge(service, restarted).report()  # and not after a restart either
    finally:
        restarted.close()


def test_fills_of_orders_placed_under_another_client_id_are_reported_after_a_restart(tws, service):
    first = connect(tws, client_id=7)
    rowid = placed(Bridge(service, first), **AAPL)
    first.close()  # the bridge stops; it comes back as client 8
    second = connect(tws, client_id=8)
    try:
        bridge = Bridge(service, second)
        bridge.take(service.signal(rowid))  # found open: not placed twice
        assert len(tws.orders) == 1
        tws.fill(ref(rowid), 4, 190.1)  # told to client 7 only
        tws.fill(ref(rowid), 6, 190.2)
        assert until(lambda: second.find(ref(rowid)).status == FILLED)
        bridge.report()
        assert 7 in second.adopted
    finally:
        second.close()
    assert (signal(rowid).order_status, signal(rowid).filled_qty1) == ("filled", 10)
    assert signal(rowid).price1 == 190.16


def test_a_corrected_execution_counts_once_at_its_corrected_price(tws, broker, bridge):
    rowid = placed(bridge, **{**AAPL, "order_contracts": 100})
    first = tws.fill(ref(rowid), 40, 189.9)
    corrected = tws.correct(first, shares=40, price=189.8)
    assert corrected.endswith(".02")
    tws.fill(ref(rowid), 60, 190.0)
    assert until(lambda: broker.find(ref(rowid)).status == FILLED)
    found = broker.find(ref(rowid))
    assert (found.filled, found.average_price) == (100, 189.92)
    bridge.report()
    assert (signal(rowid).filled_qty1, signal(rowid).price1) == (100, 189.92)


def test_a_flat_position_is_reported_as_zero_and_the_account_refreshed_between_trades(tws, service):
    broker = connect(tws)
    bridge = Bridge(service, broker, refresh_every=0.2)
    try:
        bought = placed(bridge, **AAPL)
        tws.fill(ref(bought), 10, 190.0)
        assert until(lambda: broker.find(ref(bought)).status == FILLED)
        bridge.report()
        assert Ticker.objects.get(symbol="AAPL").active_pos == 10
        sold = placed(bridge, **{**AAPL, "order_action": "sell"})
        tws.fill(ref(sold), 10, 191.0)
        assert until(lambda: broker.find(ref(sold)).status == FILLED)
        assert until(lambda: not broker.ib.positions())  # ib_async forgets a flat position
        bridge.report()
        assert Ticker.objects.get(symbol="AAPL").active_pos == 0
        # No trade: the account is read again all the same.
        before = AccountSnapshot.objects.count()
        tws.set_mark("AAPL", 200.0)
        time.sleep(0.3)
        bridge.report()
        assert AccountSnapshot.objects.count() > before
        assert AccountSnapshot.objects.latest("rowid").realized_pnl == 10.0
    finally:
        broker.close()


def test_a_signal_older_than_the_limit_is_written_back_canceled_and_never_placed(tws, service):
    broker = connect(tws)
    try:
        late = Bridge(service, broker, max_signal_age=120, clock=lambda: time.time() + 121)
        rowid = post_alert(**AAPL)
        assert late.take(service.signal(rowid)) is False
    finally:
        broker.close()
    assert signal(rowid).order_status == "canceled"
    assert "s old when the bridge took it (--max-signal-age 120 s)" in signal(rowid).error_msg
    assert tws.orders == []


def test_an_old_signal_a_stopped_run_placed_gets_its_ids_not_a_cancel(tws, service):
    first = connect(tws, client_id=7)
    rowid = post_alert(**AAPL)
    first.place(Bridge(service, first)._legs_of(service.signal(rowid)))  # then the run died
    first.close()
    broker = connect(tws, client_id=7)
    try:
        late = Bridge(service, broker, clock=lambda: time.time() + 600)
        assert late.take(service.signal(rowid)) is True
    finally:
        broker.close()
    assert (signal(rowid).order_status, signal(rowid).order_id1) == (
        "created",
        tws.orders[0].order_id,
    )
    assert len(tws.orders) == 1


def test_an_order_stacked_on_a_working_one_for_the_same_instrument_says_so(tws, bridge):
    first = placed(bridge, **AAPL)
    second = placed(bridge, **{**AAPL, "order_price": 191.0})
    assert [order.ref for order in tws.orders] == [ref(first), ref(second)]
    assert signal(second).error_msg == (
        f"placed while signal #{first}'s order for AAPL (0 of 10 filled) was still working"
    )
    assert not signal(first).error_msg


def test_contracts_are_qualified_first_and_the_registrys_primary_exchange_is_a_hint(tws, bridge):
    rowid = placed(bridge, **AAPL)  # AAPL registered with the default primary exchange, NYSE
    assert tws.contract_requests[:2] == [("AAPL", "STK", "USD", "NYSE"), ("AAPL", "STK", "USD", "")]
    assert tws.order(ref(rowid)).listing.primary == "NASDAQ"
    assert signal(rowid).order_status == "created"


@pytest.mark.parametrize(
    ("ticker", "words"),
    [
        ("ZZZZ", "IB refused the contract for ZZZZ: 200 No security definition"),
        ("EURUS", "'EURUS' is not a currency pair"),
    ],
)
def test_a_contract_ib_refuses_is_the_signals_error_and_the_bridge_goes_on(
    tws, bridge, ticker, words
):
    refused = placed(bridge, ticker=ticker, order_contracts=5, order_price=1.0)
    assert signal(refused).order_status == "error"
    assert signal(refused).error_msg.startswith(words)
    after = placed(bridge, **AAPL)
    assert signal(after).order_status == "created"
    assert [order.ref for order in tws.orders] == [ref(after)]


@pytest.mark.parametrize(("lost", "back"), [(1100, 1102), (2110, 2106)])
def test_nothing_is_placed_while_tws_is_cut_off_from_ib(tws, broker, bridge, lost, back):
    tws.system_message(lost)
    assert until(lambda: broker.cut_off.startswith(str(lost)))
    rowid = post_alert(**AAPL)
    with pytest.raises(BrokerUnavailable, match="cut off"):
        bridge.take(bridge.client.signal(rowid))
    assert (tws.orders, signal(rowid).order_status) == ([], "waiting")
    tws.system_message(back)
    assert until(lambda: not broker.cut_off)
    bridge.take(bridge.client.signal(rowid))
    assert signal(rowid).order_status == "created"


def test_with_several_accounts_one_must_be_chosen_and_only_it_is_traded(service):
    with TWS(accounts=("DU111111", "DU222222")) as tws:
        unchosen = connect(tws, wait=2)
        assert not unchosen.ready.is_set()
        assert "choose the one to trade with --ib-account" in str(unchosen.misconfigured)
        unchosen.close()
        unknown = connect(tws, account="DU999999", wait=2)
        assert "DU999999 is not managed" in str(unknown.misconfigured)
        unknown.close()
        chosen = connect(tws, account="DU222222")
        try:
            rowid = placed(Bridge(service, chosen), **AAPL)
            assert tws.order(ref(rowid)).account == "DU222222"
        finally:
            chosen.close()


def test_the_command_line_refuses_an_ib_login_with_several_accounts_and_none_chosen(capsys):
    from bridge import cli

    with TWS(accounts=("DU111111", "DU222222")) as tws:
        status = cli.main(["--broker", "ib", "--ib-port", str(tws.port), "--passphrase", "x"])
    assert status == 2
    assert "--ib-account" in capsys.readouterr().err


def test_a_dropped_connection_is_made_again_and_nothing_is_placed_twice(tws, broker, bridge):
    rowid = placed(bridge, **AAPL)
    tws.drop_connections()
    assert until(lambda: not broker.ready.is_set(), seconds=5)
    with pytest.raises(BrokerUnavailable):
        broker.find(ref(rowid))
    assert until(broker.ready.is_set, seconds=10)
    bridge.take(bridge.client.signal(rowid))  # the signal is created already: left alone
    Signal.objects.filter(rowid=rowid).update(order_status="waiting")  # as if never written
    bridge.take(bridge.client.signal(rowid))
    assert len(tws.orders) == 1
    tws.fill(ref(rowid), 10, 190.0)
    assert until(lambda: broker.find(ref(rowid)).status == FILLED)


def test_the_command_line_takes_ibs_address_from_options_or_the_environment(monkeypatch):
    from bridge import cli

    monkeypatch.setenv("IB_PORT", "1")  # nothing listens on it
    monkeypatch.setenv("IB_CLIENT_ID", "9")
    arguments = cli.parser().parse_args(["--broker", "ib", "--ib-host", "127.0.0.2"])
    broker = cli.broker_of(arguments, client=None, wait=0.2)
    try:
        assert (broker.host, broker.port, broker.client_id) == ("127.0.0.2", 1, 9)
        assert not broker.ready.is_set()  # nothing listens there: it keeps trying
    finally:
        broker.close()


def test_a_bad_value_in_the_environment_is_refused_in_words(monkeypatch, capsys):
    from bridge import cli

    monkeypatch.setenv("IB_PORT", "seven")
    with pytest.raises(SystemExit) as stopped:
        cli.parser().parse_args(["--broker", "ib"])
    assert stopped.value.code == 2
    assert "argument --ib-port: invalid int value: 'seven'" in capsys.readouterr().err
