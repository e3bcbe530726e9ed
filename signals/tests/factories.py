from signals.models import Signal


def make_signal(**fields):
    defaults = {
        "ticker": "NMFC-0.75*ROIC",
        "order_action": "buy",
        "order_contracts": 603,
        "order_price": 0.98,
        "ticker_type": "pair",
        "ticker1": "NMFC",
        "ticker2": "ROIC",
        "hedge_param": 0.75,
        "order_status": "waiting",
    }
    return Signal.objects.create(**{**defaults, **fields})


def make_single(symbol="AAPL", **fields):
    single = {
        "ticker": symbol,
        "ticker_type": "single",
        "ticker1": symbol,
        "ticker2": None,
        "hedge_param": None,
        "order_contracts": 100,
        "order_price": 400.2,
    }
    return make_signal(**{**single, **fields})
