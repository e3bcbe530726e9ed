"""The risk gate's rules, pure: which limit an order would break, in words.

An instrument's limit is its own value where it has one, else the default; None is no limit.
Exposure is the instrument's absolute position once every pending order and this one filled,
in leg 1's units for a pair."""

from dataclasses import dataclass, fields, replace

COUNTED_LIMITS = (
    "max_order_contracts",
    "max_position",
    "max_orders_per_minute",
    "max_orders_per_day",
)
LIMIT_NAMES = (*COUNTED_LIMITS, "trading_window")


@dataclass(frozen=True)
class Limits:
    max_order_contracts: int | None = None
    max_position: int | None = None
    max_orders_per_minute: int | None = None
    max_orders_per_day: int | None = None
    trading_window: bool | None = None

    def over(self, defaults: "Limits") -> "Limits":
        """These limits, each missing one taken from ``defaults``."""
        return replace(
            self,
            **{
                f.name: getattr(defaults, f.name)
                for f in fields(self)
                if getattr(self, f.name) is None
            },
        )

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    @property
    def counts_other_orders(self) -> bool:
        """Whether checking an order needs the instrument's other orders (and its lock)."""
        return any(
            limit is not None
            for limit in (self.max_position, self.max_orders_per_minute, self.max_orders_per_day)
        )


@dataclass(frozen=True)
class Order:
    contracts: int
    signed: int  # + for a buy, - for a sell
    exposure_before: float  # filled position plus every pending order's rest, signed
    orders_last_minute: int
    orders_today: int
    market_closed: str = ""  # why the instrument's market does not trade now, "" when it does


def refusal(limits: Limits, order: Order) -> str:
    """Why the order may not go to the broker ("" when it may)."""
    if limits.trading_window and order.market_closed:
        return f"risk: {order.market_closed} (trading_window)"
    if limits.max_order_contracts is not None and order.contracts > limits.max_order_contracts:
        return (
            f"risk: order of {order.contracts} exceeds max_order_contracts "
            f"{limits.max_order_contracts}"
        )
    after = order.exposure_before + order.signed
    if limits.max_position is not None and abs(after) > limits.max_position:
        return f"risk: position {after:g} would exceed max_position {limits.max_position}"
    if (
        limits.max_orders_per_minute is not None
        and order.orders_last_minute >= limits.max_orders_per_minute
    ):
        return (
            f"risk: {order.orders_last_minute} orders in the last minute reach "
            f"max_orders_per_minute {limits.max_orders_per_minute}"
        )
    if limits.max_orders_per_day is not None and order.orders_today >= limits.max_orders_per_day:
        return (
            f"risk: {order.orders_today} orders today reach max_orders_per_day "
            f"{limits.max_orders_per_day}"
        )
    return ""


TOP_KEYS = ("halted", "halt_reason", "max_signal_age", "daily_loss_limit", "max_drawdown")


class InvalidRisk(ValueError):
    """A value of PUT /v3/risk that cannot be taken; ``field`` names it (``instruments.AAPL.
    max_position``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _count(field: str, value: object, *, allow_null: bool = True) -> int | None:
    if value is None and allow_null:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise InvalidRisk(field, "must be a whole number" + (" or null" if allow_null else ""))
    if value < 0:
        raise InvalidRisk(field, "may not be negative")
    return int(value)


def _amount(field: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidRisk(field, "must be a number or null")
    if value < 0:
        raise InvalidRisk(field, "may not be negative")
    return float(value)


def _limit_changes(field: str, value: object) -> dict[str, int | bool | None]:
    if not isinstance(value, dict):
        raise InvalidRisk(field, "must be an object of limits")
    for key in value:
        if key not in LIMIT_NAMES:
            raise InvalidRisk(f"{field}.{key}", f"is not a limit ({', '.join(LIMIT_NAMES)})")
    changes: dict[str, int | bool | None] = {}
    for key, limit in value.items():
        if key == "trading_window":
            if limit is not None and not isinstance(limit, bool):
                raise InvalidRisk(f"{field}.{key}", "must be true, false or null")
            changes[key] = limit
        else:
            changes[key] = _count(f"{field}.{key}", limit)
    return changes


@dataclass(frozen=True)
class RiskChanges:
    """What a PUT /v3/risk changes: only the keys it sent."""

    settings: dict[str, object]
    defaults: dict[str, int | bool | None]
    instruments: dict[str, dict[str, int | bool | None]]


def parse_changes(body: object, is_instrument) -> RiskChanges:
    """A PUT /v3/risk body, checked key by key; ``is_instrument(name)`` says whether a ticker
    or pair of that name is registered."""
    if not isinstance(body, dict):
        raise InvalidRisk("body", "must be a JSON object")
    settings: dict[str, object] = {}
    defaults: dict[str, int | bool | None] = {}
    instruments: dict[str, dict[str, int | bool | None]] = {}
    for key, value in body.items():
        if key == "halted":
            if not isinstance(value, bool):
                raise InvalidRisk(key, "must be true or false")
            settings[key] = value
        elif key == "halt_reason":
            if not isinstance(value, str) or len(value) > 500:
                raise InvalidRisk(key, "must be a text of at most 500 characters")
            settings[key] = value
        elif key == "max_signal_age":
            age = _count(key, value, allow_null=False)
            if not age:
                raise InvalidRisk(key, "must be 1 second or more")
            settings[key] = age
        elif key in ("daily_loss_limit", "max_drawdown"):
            settings[key] = _amount(key, value)
        elif key == "defaults":
            defaults = _limit_changes(key, value)
        elif key == "instruments":
            if not isinstance(value, dict):
                raise InvalidRisk(key, "must be an object of instruments")
            for name, limits in value.items():
                if not is_instrument(name):
                    raise InvalidRisk(f"instruments.{name}", "is not a registered ticker or pair")
                instruments[name] = _limit_changes(f"instruments.{name}", limits)
        else:
            known = (*TOP_KEYS, "defaults", "instruments")
            raise InvalidRisk(key, f"is not a risk setting ({', '.join(known)})")
    return RiskChanges(settings, defaults, instruments)
