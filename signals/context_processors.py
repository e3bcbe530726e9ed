"""What every console page shows: whether trading is halted (a banner)."""

from . import selectors


def trading_halt(request):
    if not request.user.is_authenticated:
        return {}
    guard_rails = selectors.risk_settings()
    return {"trading_halted": guard_rails.halted, "halt_reason": guard_rails.halt_reason}
