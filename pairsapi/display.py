"""Times as the trader reads them: in DISPLAY_TIME_ZONE (default America/Los_Angeles)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.utils import timezone

# The zone the person reading this request chose (accounts.middleware sets it per request).
_chosen: ContextVar[str | None] = ContextVar("display_zone_chosen", default=None)


def display_zone():
    return ZoneInfo(_chosen.get() or settings.DISPLAY_TIME_ZONE)


def is_zone(name: str) -> bool:
    return name in available_timezones()


@contextmanager
def reading_in(zone_name: str | None) -> Iterator[None]:
    """Show times in ``zone_name`` (None: the default) while the block runs."""
    token = _chosen.set(zone_name)
    try:
        yield
    finally:
        _chosen.reset(token)


def local_today():
    return timezone.now().astimezone(display_zone()).date()


def day_bounds(first_day, last_day):
    """UTC instants spanning whole local days ``first_day`` .. ``last_day`` inclusive."""
    zone = display_zone()
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def age_text(seconds: float) -> str:
    """How long ago, as a trader reads it: ``just now``, ``12 min``, ``3 h 5 min``, ``3 d 4 h``."""
    minutes = int(max(seconds, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def ago_text(seconds: float) -> str:
    """``just now`` or ``3 d 4 h ago``."""
    age = age_text(seconds)
    return age if age == "just now" else f"{age} ago"
