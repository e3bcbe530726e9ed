"""When an instrument's market trades, for the risk gate's trading window (pure, no Django).

Stocks trade in their exchange's sessions, from a maintained calendar (exchange_calendars:
holidays and early closes included), chosen by the ticker's currency; forex trades from Sunday
17:00 to Friday 17:00 New York time; crypto always."""

import functools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
# The exchange whose sessions a stock in this currency keeps.
CALENDARS = {
    "USD": "XNYS",
    "CAD": "XTSE",
    "GBP": "XLON",
    "EUR": "XETR",
    "JPY": "XTKS",
    "HKD": "XHKG",
    "AUD": "XASX",
}


@functools.cache
def _calendar(name: str) -> Any:
    import exchange_calendars  # brings pandas: loaded only when a window is set

    return exchange_calendars.get_calendar(name)


def closed(sectype: str, currency: str, moment: datetime) -> str:
    """Why the market of a leg does not trade at ``moment`` (aware), "" when it does."""
    if sectype == "CRYPTO":
        return ""
    if sectype == "CASH":
        local = moment.astimezone(NEW_YORK)
        day, hour = local.weekday(), local.hour
        shut = day == 5 or (day == 4 and hour >= 17) or (day == 6 and hour < 17)
        return "the forex market is closed (Sunday 17:00 to Friday 17:00 New York)" if shut else ""
    name = CALENDARS.get(currency.upper())
    if name is None:
        return ""  # no calendar known for it: not refused on a guess
    import pandas

    try:
        if _calendar(name).is_open_on_minute(pandas.Timestamp(moment)):
            return ""
    except ValueError:
        return f"no calendar of {name} covers {moment:%Y-%m-%d}"
    return f"{name} is closed"
