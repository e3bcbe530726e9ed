"""Account figures as the positions page shows them: what the broker does not know is shown as
unknown, never as money."""

from django import template

from pairsapi.templatetags.numbers import plain
from pnl.models import UNKNOWN_PNL

register = template.Library()

UNKNOWN = "unknown"


@register.filter
def figure(value):
    """A figure the snapshot may lack (null)."""
    return UNKNOWN if value is None else plain(value)


@register.filter
def pnl(value):
    """A PnL figure: the broker reports -1 when it does not know it."""
    return UNKNOWN if value == UNKNOWN_PNL else figure(value)


@register.filter
def pnl_class(value):
    """``gain`` or ``loss`` for colouring; nothing for zero or unknown."""
    # Anything but a number (a missing leg's figure renders as "") is not coloured.
    if not isinstance(value, int | float) or value == UNKNOWN_PNL or value == 0:
        return ""
    return "gain" if value > 0 else "loss"
