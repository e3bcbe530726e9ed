from datetime import datetime
from typing import TypedDict, Unpack

from django.db import transaction

from pairsapi.domain import NotFound
from signals.selectors import risk_settings
from signals.services import halt_on_losses

from . import selectors
from .models import UNKNOWN_PNL, UNKNOWN_WHEN_MISSING, AccountSnapshot


class AccountFigures(TypedDict, total=False):
    """A snapshot's fields (``pnl.models.WIRE_FIELDS`` names the broker's key for each)."""

    timestamp: datetime
    available_funds: float | None
    buying_power: float | None
    daily_pnl: float | None
    gross_position_value: float | None
    maint_margin_req: float | None
    net_liquidation: float | None
    realized_pnl: float | None
    unrealized_pnl: float | None


@transaction.atomic
def record_snapshot(**figures: Unpack[AccountFigures]) -> AccountSnapshot:
    """Store the account figures the bridge reported; unknown PnL figures stay -1. A loss today
    or a drawdown reaching the risk settings' limit halts trading."""
    known = {key: value for key, value in figures.items() if value is not None}
    snapshot = AccountSnapshot.objects.create(**known)
    guard_rails = risk_settings()
    if guard_rails.daily_loss_limit is not None or guard_rails.max_drawdown is not None:
        halt_on_losses(
            daily_loss=selectors.daily_loss(snapshot), drawdown=selectors.drawdown(snapshot)
        )
    return snapshot


@transaction.atomic
def update_snapshot(*, rowid: int, **fields: Unpack[AccountFigures]) -> AccountSnapshot:
    snapshot = AccountSnapshot.objects.select_for_update().filter(rowid=rowid).first()
    if snapshot is None:
        raise NotFound()
    for key, value in fields.items():
        if value is None and key in UNKNOWN_WHEN_MISSING:
            value = UNKNOWN_PNL  # a PnL figure sent as null is unknown, as when creating
        setattr(snapshot, key, value)
    snapshot.save()
    return snapshot
