"""The Interactive Brokers broker: contracts and orders from the service's tickers (pure), then
the broker against a fake TWS: order ids, partial fills, repeats, rejections, warnings (399),
lost connections, a download that did not finish, and a restart."""

import pytest

from bridge.brokers.base import CANCELED, FILLED, OPEN, BrokerUnavailable
from bridge.brokers.ib import IBBroker, account_figures, contract_for, order_for, service_symbol
from bridge.orders import Instrument, LegOrder
from bridge.tests.fake_ib import ACCOUNT, REJECTED, WARNING, FakeIB, FakeTWS
from bridge.tests.loop import until

STOCK = Instrument("STK", "SMART", "NASDAQ", "USD", "MARKET")


def leg(symbol="AAPL", instrument=STOCK, ref="pairs-1-leg1", action="BUY", quantity=100):
    return LegOrder(ref, int(ref.split("-")[1]), int(ref[-1]), symbol, action, quantity, instrument)


# --- contracts and orders


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
    assert service_symbol(contract) == "EUR.USD"


def test_crypto_goes_to_paxos_unless_the_ticker_names_an_exchange():
    contract = contract_for(leg("BTC.USD", Instrument("CRYPTO", "SMART", "", "USD")))
    assert (contract.secType, contract.symbol, contract.exchange) == ("CRYPTO", "BTC", "PAXOS")
    assert service_symbol(contract) == "BTC.USD"
    other = contract_for(leg("ETH", Instrument("CRYPTO", "ZEROHASH", "", "USD")))
    assert (other.symbol, other.currency, other.exchange) == ("ETH", "USD", "ZEROHASH")


@pytest.mark.parametrize(
    ("sectype", "order_type", "expected"),
    [
        ("STK", "MARKET", ("MKT", None, "DAY")),
        ("STK", "MKT", ("MKT", None, "DAY")),
        ("STK", "LIMIT", ("LMT", 190.13, "DAY")),
        ("STK", "RELATIVE", ("REL", None, "DAY")),
        ("CASH", "RELATIVE", ("MKT", None, "DAY")),  # IDEALPRO takes no relative orders
        ("CASH", "LMT", ("LMT", 190.12535, "DAY")),  # forex ticks are 0.00005
        ("CRYPTO", "RELATIVE", ("LMT", 190.13, "IOC")),
        ("CRYPTO", "MARKET", ("MKT", None, "IOC")),
    ],
)
def test_the_order_type_comes_from_the_ticker(sectype, order_type, expected):
    instrument = Instrument(sectype, "SMART", "", "USD", order_type)
    order = order_for(leg("X", instrument, action="SELL", quantity=7), 190.12537, "DU1")
    limit = order.lmtPrice if order.orderType == "LMT" else None
    assert (order.orderType, limit, order.tif or "DAY") == expected
    assert (order.action, order.totalQuantity) == ("SELL", 7)
    assert (order.orderRef, order.account) == ("pairs-1-leg1", "DU1")
    if order.orderType == "REL":
        assert order.auxPrice == 0  # pegged to the primary quote, no offset


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


# --- the broker against a fake TWS


@pytest.fixture
def tws():
    return FakeTWS()


def connect(tws, client_id=7, wait=5.0):
    broker = IBBroker(client_id=client_id, timeout=2, ib_factory=lambda: FakeIB(tws))
    broker.start(wait=wait)
    return broker


@pytest.fixture
def broker(tws):
    running = connect(tws)
    assert running.ready.is_set()
    yield running
    running.close()


def test_an_order_is_placed_once_under_its_reference_with_the_brokers_order_id(tws, broker):
    placed = broker.place(leg(), 190.0)
    assert placed.order_id == 101
    assert (placed.status, placed.filled) == (OPEN, 0)
    found = broker.find("pairs-1-leg1")
    assert (found.order_id, found.symbol, found.quantity) == (101, "AAPL", 100)
    again = broker.place(leg(), 191.0)
    assert again.order_id == 101
    assert len(tws.received) == 1
    contract, order = tws.received[0]
    assert (contract.symbol, contract.primaryExchange, order.orderRef) == (
        "AAPL",
        "NASDAQ",
        "pairs-1-leg1",
    )
    assert broker.find("pairs-2-leg1") is None


def test_partial_fills_add_up_with_their_commissions_and_wake_the_bridge(tws, broker):
    broker.place(leg(), 190.0)
    broker.news.clear()
    first = tws.fill("pairs-1-leg1", 40, 190.0, commission=0.4)
    assert until(broker.news.is_set)
    part = broker.find("pairs-1-leg1")
    assert (part.filled, part.average_price, part.status) == (40, 190.0, OPEN)
    tws.fill("pairs-1-leg1", 60, 191.0, commission=0.6)
    tws.send_again(first)  # a repeated execution is not counted twice
    assert until(lambda: broker.find("pairs-1-leg1").filled == 100)
    done = broker.find("pairs-1-leg1")
    assert (done.average_price, done.status, done.commission) == (190.6, FILLED, 1.0)
    assert broker.last_price("AAPL") == 191.0


def test_a_rejected_order_is_canceled_with_the_brokers_words(tws, broker):
    broker.place(leg(), 190.0)
    tws.reject("pairs-1-leg1")
    assert until(lambda: broker.find("pairs-1-leg1").status == CANCELED)
    assert broker.find("pairs-1-leg1").message == (
        f"{REJECTED} Order rejected - reason: no trading permissions"
    )


def test_a_399_warning_is_kept_and_the_order_stays_live(tws, broker):
    broker.place(leg(), 190.0)
    tws.warn("pairs-1-leg1")
    assert until(lambda: broker.find("pairs-1-leg1").message != "")
    warned = broker.find("pairs-1-leg1")
    assert (warned.status, warned.message) == (
        OPEN,
        f"{WARNING} Order Message: Warning: price cap applied",
    )
    tws.fill("pairs-1-leg1", 100, 190.0)
    assert until(lambda: broker.find("pairs-1-leg1").status == FILLED)


def test_a_lost_connection_refuses_to_answer_then_comes_back_with_what_happened(tws, broker):
    broker.place(leg(), 190.0)
    tws.online = False
    tws.drop()
    assert until(lambda: not broker.ready.is_set())
    with pytest.raises(BrokerUnavailable):
        broker.find("pairs-1-leg1")  # not "never placed": nothing may be placed now
    with pytest.raises(BrokerUnavailable):
        broker.place(leg(ref="pairs-2-leg1"), 1.0)
    tws.client = None  # the fill happens at the broker while the bridge is away
    tws.held[101].status = "Filled"
    tws.fill("pairs-1-leg1", 100, 189.5)
    tws.online = True
    assert until(broker.ready.is_set, seconds=8)  # it reconnects by itself
    back = broker.find("pairs-1-leg1")
    assert (back.order_id, back.filled, back.average_price) == (101, 100, 189.5)
    assert len(tws.received) == 1


def test_a_connection_whose_order_download_timed_out_does_not_count(tws):
    tws.sync_times_out = True
    broker = connect(tws, wait=1.0)
    try:
        assert not broker.ready.is_set()
        with pytest.raises(BrokerUnavailable):
            broker.find("pairs-1-leg1")
        tws.sync_times_out = False
        assert until(broker.ready.is_set, seconds=8)
    finally:
        broker.close()


def test_a_restarted_bridge_finds_open_filled_and_other_clients_orders(tws):
    first = connect(tws, client_id=7)
    first.place(leg(ref="pairs-1-leg1"), 1.0)  # stays open
    first.place(leg(ref="pairs-2-leg1"), 1.0)
    tws.fill("pairs-2-leg1", 100, 2.0)
    first.close()
    other = connect(tws, client_id=8)  # restarted under another client id
    other.place(leg(ref="pairs-3-leg1"), 1.0)
    other.close()

    restarted = connect(tws, client_id=8)
    try:
        found = {order.ref: order for order in restarted.orders()}
        assert sorted(found) == ["pairs-1-leg1", "pairs-2-leg1", "pairs-3-leg1"]
        assert found["pairs-2-leg1"].status == FILLED
        assert found["pairs-1-leg1"].order_id == 101
        restarted.place(leg(ref="pairs-1-leg1"), 1.0)
        assert len(tws.received) == 3  # nothing placed twice
    finally:
        restarted.close()


def test_positions_and_the_account_are_read_in_the_services_names(tws, broker):
    forex = Instrument("CASH", "SMART", "", "USD", "MARKET")
    broker.place(leg("EUR.USD", forex, quantity=20000), 1.1)
    broker.place(leg("BF A", STOCK, ref="pairs-2-leg1", action="SELL", quantity=10), 40.0)
    tws.fill("pairs-1-leg1", 20000, 1.1)
    tws.fill("pairs-2-leg1", 10, 40.0)
    positions = {p.symbol: p for p in broker.positions()}
    assert positions["EUR.USD"].quantity == 20000
    assert positions["EUR.USD"].unrealized_pnl == 20000  # a point up on 20,000
    assert (positions["BF A"].quantity, positions["BF A"].average_cost) == (-10, 40.0)
    assert positions["BF A"].unrealized_pnl == -10
    account = broker.account()
    assert account["NetLiquidation"] == 100000.5
    assert account["UnrealizedPnL"] == 15  # BASE over USD
    assert account["RealizedPnL"] == -3.25
    assert account["DailyPnL"] == 42.0
    assert account["GrossPositionValue"] == -1  # not sent: unknown
    assert broker.account_code == ACCOUNT


def test_the_command_line_takes_ibs_address_from_options_or_the_environment(monkeypatch):
    from bridge import cli

    monkeypatch.setenv("IB_PORT", "1")  # nothing listens on it
    monkeypatch.setenv("IB_CLIENT_ID", "9")
    arguments = cli.parser().parse_args(["--broker", "ib", "--ib-host", "127.0.0.2"])
    broker = cli.broker_of(arguments, wait=0.2)
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
