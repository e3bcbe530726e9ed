"""The risk gate: limits in words (pure), the settings API, held signals kept out of every
bridge's reach, the kill switch, release and cancel, expiry, and two alerts at once never
passing a limit that either alone would meet exactly (both databases)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from instruments.tests.factories import PairFactory, TickerFactory
from pairsapi.testing import V3Client
from signals import selectors, services
from signals.models import InstrumentExposure, RiskSettings, Signal
from signals.risk import InvalidRisk, Limits, Order, parse_changes, refusal
from signals.tests.factories import alert

# --- the rules (pure)


def order(contracts=10, signed=10, before=0.0, minute=0, today=0):
    return Order(contracts, signed, before, minute, today)


@pytest.mark.parametrize(
    ("limits", "placed", "words"),
    [
        (Limits(), order(10**8, 10**8), ""),
        (Limits(max_order_contracts=100), order(100, 100), ""),
        (Limits(max_order_contracts=100), order(101, 101), "order of 101 exceeds"),
        (Limits(max_position=1000), order(500, 500, before=500.0), ""),
        (Limits(max_position=1000), order(500, 500, before=1000.0), "position 1500 would exceed"),
        (Limits(max_position=1000), order(500, -500, before=-600.0), "position -1100 would"),
        (Limits(max_position=100), order(200, -200, before=150.0), ""),  # closing past zero
        (Limits(max_orders_per_minute=3), order(minute=2), ""),
        (Limits(max_orders_per_minute=3), order(minute=3), "3 orders in the last minute"),
        (Limits(max_orders_per_day=5), order(today=5), "5 orders today reach"),
    ],
)
def test_each_limit_says_what_it_stops(limits, placed, words):
    found = refusal(limits, placed)
    assert (words in found and found.startswith("risk: ")) if words else found == ""


def test_an_instruments_own_limit_comes_before_the_default():
    own = Limits(max_position=50).over(Limits(max_position=1000, max_order_contracts=10))
    assert own == Limits(max_order_contracts=10, max_position=50)
    assert not Limits().any and Limits(max_orders_per_day=1).any


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_signal_age": -1}, "max_signal_age"),
        ({"max_signal_age": 0}, "max_signal_age"),
        ({"daily_loss_limit": -5}, "daily_loss_limit"),
        ({"defaults": {"max_position": -1}}, "defaults.max_position"),
        ({"defaults": {"max_position": 1.5}}, "defaults.max_position"),
        ({"defaults": {"max_postion": 1}}, "defaults.max_postion"),
        ({"instruments": {"MSFT": {"max_position": 1}}}, "instruments.MSFT"),
        ({"instruments": {"AAPL": 5}}, "instruments.AAPL"),
        ({"halted": "yes"}, "halted"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(body, field):
    with pytest.raises(InvalidRisk) as refused:
        parse_changes(body, lambda name: name == "AAPL")
    assert refused.value.field == field


# --- through the service

pytestmark = pytest.mark.django_db
ROUND = {"ticker": "NASDAQ:AAPL", "order_contracts": 100, "order_price": 190.0}


@pytest.fixture
def registry():
    TickerFactory(symbol="AAPL", active=True)
    TickerFactory(symbol="NMFC")
    TickerFactory(symbol="ROIC")
    PairFactory(name="NMFC-ROIC", ticker1="NMFC", ticker2="ROIC", hedge=0.75, status=True)


def send(**fields):
    answer = V3Client().post("/v3/webhook", alert(**{**ROUND, **fields}), format="json")
    assert answer.status_code == 201, answer.content
    return Signal.objects.latest("rowid"), answer.json()["message"]


def waiting_rowids():
    answer = V3Client().get("/v3/signals/status/waiting/50")
    return [s["rowid"] for s in answer.json()["signals"]]


def put_risk(client, body):
    return client.put("/v3/risk", body, format="json")


def test_the_guard_rails_are_read_and_changed_through_the_api(registry, admin_api, trader_api):
    assert trader_api.get("/v3/risk").json() == {
        "halted": False,
        "halt_reason": "",
        "max_signal_age": 120,
        "daily_loss_limit": None,
        "max_drawdown": None,
        "defaults": dict.fromkeys(Limits().__dict__),
        "instruments": {},
    }
    assert put_risk(trader_api, {"max_signal_age": 60}).status_code == 403
    body = {
        "max_signal_age": 60,
        "defaults": {"max_order_contracts": 500},
        "instruments": {"AAPL": {"max_order_contracts": 100, "max_position": 150}},
    }
    answer = put_risk(admin_api, body).json()
    assert answer["instruments"]["AAPL"]["max_position"] == 150
    assert answer["defaults"]["max_order_contracts"] == 500
    merged = put_risk(admin_api, {"instruments": {"AAPL": {"max_position": None}}}).json()
    assert merged["instruments"]["AAPL"] == {**Limits().__dict__, "max_order_contracts": 100}
    gone = put_risk(admin_api, {"instruments": {"AAPL": {"max_order_contracts": None}}}).json()
    assert gone["instruments"] == {}
    refused = put_risk(admin_api, {"instruments": {"MSFT": {"max_position": 1}}})
    assert refused.status_code == 400
    assert "instruments.MSFT" in str(refused.json())


def test_a_held_signal_says_why_and_no_bridge_can_see_it(registry, admin_api):
    put_risk(admin_api, {"instruments": {"AAPL": {"max_order_contracts": 100}}})
    fits, _ = send(order_contracts=100)
    held, answer = send(order_contracts=100_000_000)
    assert fits.order_status == "waiting"
    assert (held.order_status, held.error_msg) == (
        "held",
        "risk: order of 100000000 exceeds max_order_contracts 100",
    )
    assert answer == f"'signal' held: {held.error_msg}"
    assert waiting_rowids() == [fits.rowid]


def test_the_position_counts_fills_and_every_pending_order(registry, admin_api):
    put_risk(admin_api, {"instruments": {"AAPL": {"max_position": 150}}})
    bought, _ = send(order_contracts=100)
    services.update_signal(rowid=bought.rowid, order_id1=7, order_status="created")
    services.record_fill(order_id=7, symbol="AAPL", price=190.0, filled_qty=100)
    assert InstrumentExposure.objects.get(instrument="AAPL").filled == 100
    pending, _ = send(order_contracts=40)  # 140 with the fill
    over, _ = send(order_contracts=20)  # 160
    exact, _ = send(order_contracts=10)  # 150
    sold, _ = send(order_action="sell", order_contracts=300)  # -150
    assert [s.order_status for s in (pending, over, exact, sold)] == [
        "waiting",
        "held",
        "waiting",
        "waiting",
    ]
    assert Signal.objects.get(rowid=over.rowid).error_msg == (
        "risk: position 160 would exceed max_position 150"
    )


def test_a_pairs_limits_are_set_on_the_pairs_name(registry, admin_api):
    put_risk(admin_api, {"instruments": {"NMFC-ROIC": {"max_orders_per_minute": 1}}})
    first, _ = send(ticker="NMFC-0.75*ROIC", order_contracts=603)
    second, _ = send(ticker="NMFC-0.75*ROIC", order_contracts=603)
    single, _ = send()
    assert [first.order_status, second.order_status, single.order_status] == [
        "waiting",
        "held",
        "waiting",
    ]
    assert "max_orders_per_minute 1" in second.error_msg


def test_the_kill_switch_holds_everything_and_resuming_releases_nothing(registry, admin_api):
    waiting, _ = send()
    halted = admin_api.post("/v3/halt", {"reason": "runaway strategy"}, format="json")
    assert halted.json()["halted"] is True
    assert Signal.objects.get(rowid=waiting.rowid).order_status == "held"
    later, _ = send()
    assert (later.order_status, later.error_msg) == (
        "held",
        "risk: trading halted (runaway strategy)",
    )
    assert waiting_rowids() == []
    assert admin_api.post("/v3/resume").json()["halted"] is False
    assert waiting_rowids() == []  # nothing released by itself
    released = admin_api.post(f"/v3/signal/{later.rowid}/release")
    assert released.json()["order_status"] == "waiting"
    assert waiting_rowids() == [later.rowid]
    canceled = admin_api.post(f"/v3/signal/{waiting.rowid}/cancel")
    assert canceled.json()["order_status"] == "canceled"
    again = admin_api.post(f"/v3/signal/{waiting.rowid}/release")
    assert again.status_code == 400
    assert "canceled, not held" in again.json()["message"]


def test_a_release_passes_the_gate_again_age_included(registry, admin_api):
    admin_api.post("/v3/halt", {"reason": "news"}, format="json")
    fresh, _ = send()
    old, _ = send()
    Signal.objects.filter(rowid=old.rowid).update(timestamp=timezone.now() - timedelta(hours=1))
    halted_still = admin_api.post(f"/v3/signal/{fresh.rowid}/release").json()
    assert (halted_still["order_status"], halted_still["error_msg"]) == (
        "held",
        "risk: trading halted (news)",
    )
    admin_api.post("/v3/resume")
    expired = admin_api.post(f"/v3/signal/{old.rowid}/release").json()
    assert expired["order_status"] == "expired"
    assert expired["error_msg"].startswith("expired: 3600 s old when released")


def test_a_signal_waiting_past_max_signal_age_leaves_the_waiting_list_and_expires(registry):
    stale, _ = send()
    fresh, _ = send()
    Signal.objects.filter(rowid=stale.rowid).update(
        timestamp=timezone.now() - timedelta(seconds=121)
    )
    assert waiting_rowids() == [fresh.rowid]  # at once, before anything marks it
    expired = services.expire_stale_signals(now=timezone.now())
    assert [s.rowid for s in expired] == [stale.rowid]
    marked = Signal.objects.get(rowid=stale.rowid)
    assert marked.order_status == "expired"
    assert marked.error_msg.startswith("expired: waited 121 s for a bridge")


def test_only_staff_with_a_fresh_token_may_halt_release_or_cancel(registry, trader_api):
    signal, _ = send()
    for path in ("/v3/halt", "/v3/resume", f"/v3/signal/{signal.rowid}/cancel"):
        assert trader_api.post(path).status_code == 403
    assert not RiskSettings.objects.filter(halted=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_alerts_at_once_never_pass_a_limit_either_alone_meets_exactly(registry, admin_api):
    put_risk(admin_api, {"instruments": {"AAPL": {"max_position": 100}}})
    start = threading.Barrier(4)
    answers = []

    def alert_at_once():
        try:
            start.wait()
            answers.append(send(order_contracts=100)[0].rowid)
        finally:
            connection.close()  # this thread's own: it must not outlive the test

    threads = [threading.Thread(target=alert_at_once) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(Signal.objects.values_list("order_status", flat=True))
    assert len(answers) == 4
    assert statuses == ["held", "held", "held", "waiting"]


def regpnl(**figures):
    answer = V3Client().post("/v3/regpnl", {"passphrase": "webhook", **figures}, format="json")
    assert answer.status_code == 201, answer.content


def test_a_daily_loss_reaching_its_limit_halts_trading(registry, admin_api):
    put_risk(admin_api, {"daily_loss_limit": 1000})
    regpnl(NetLiquidation=100_000)
    regpnl(NetLiquidation=99_200)
    assert not admin_api.get("/v3/risk").json()["halted"]
    waiting, _ = send()
    regpnl(NetLiquidation=98_990)
    document = admin_api.get("/v3/risk").json()
    assert document["halted"] is True
    assert document["halt_reason"] == "daily loss 1010.00 reached daily_loss_limit 1000"
    assert Signal.objects.get(rowid=waiting.rowid).order_status == "held"


def test_the_brokers_daily_pnl_counts_when_it_sends_one(registry, admin_api):
    put_risk(admin_api, {"daily_loss_limit": 500})
    regpnl(NetLiquidation=100_000, DailyPnL=-499)
    assert not admin_api.get("/v3/risk").json()["halted"]
    regpnl(NetLiquidation=100_000, DailyPnL=-500)
    assert admin_api.get("/v3/risk").json()["halted"] is True


def test_a_drawdown_from_the_peak_reaching_its_limit_halts_trading(registry, admin_api):
    put_risk(admin_api, {"max_drawdown": 5000})
    for value in (100_000, 110_000, 106_000):
        regpnl(NetLiquidation=value)
    assert not admin_api.get("/v3/risk").json()["halted"]
    regpnl(NetLiquidation=105_000)
    assert admin_api.get("/v3/risk").json()["halt_reason"] == (
        "drawdown 5000.00 reached max_drawdown 5000"
    )


@pytest.mark.parametrize(
    ("ticker", "moment", "status"),
    [
        ("AAPL", "2026-12-07 15:00:00", "waiting"),  # Monday 10:00 in New York
        ("AAPL", "2026-12-06 15:00:00", "held"),  # Sunday
        ("NMFC-0.75*ROIC", "2026-12-06 15:00:00", "held"),
        ("BTC", "2026-12-06 15:00:00", "waiting"),  # crypto trades always
    ],
)
def test_a_trading_window_holds_orders_while_the_market_is_closed(
    registry, admin_api, ticker, moment, status
):
    TickerFactory(symbol="BTC", sectype="CRYPTO", active=True)
    put_risk(admin_api, {"defaults": {"trading_window": True}})
    signal = Signal(ticker=ticker, order_action="buy", order_contracts=10)
    services._screen(signal, False, services.LiveRegistry)
    when = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    services._gate(signal, selectors.refreshed_risk(), when)
    assert signal.order_status == status
    if status == "held":
        assert signal.error_msg.endswith("XNYS is closed (trading_window)")


def test_a_signal_a_bridge_puts_back_in_the_waiting_list_passes_the_gate_again(registry):
    signal, _ = send()
    services.update_signal(rowid=signal.rowid, order_status="created", order_id1=5)
    services.halt_trading(reason="news")
    again = services.update_signal(rowid=signal.rowid, order_status="rerouted")
    assert (again.order_status, again.error_msg) == ("held", "risk: trading halted (news)")
    assert waiting_rowids() == []
    services.resume_trading()
    moved = services.update_signal(rowid=signal.rowid, order_status="held")
    assert moved.order_status == "held"  # a write that leaves it out of the list stays as sent
