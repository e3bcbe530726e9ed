"""Setup and health: what to paste into TradingView, and whether the loop is whole (the
bridge, the watchdog, the notifications, refused requests)."""

import json

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from instruments.selectors import active_pairs, active_tickers
from pairsapi.display import ago_text, display_zone
from signals.models import RejectedRequest
from signals.selectors import held_signals

from . import selectors
from .notify import Notification, configured_destinations, deliver

REJECTIONS_SHOWN = 20
PASSPHRASE_PLACEHOLDER = "YOUR WEBHOOK_PASSPHRASE"
# The TradingView alert message; {{...}} are TradingView's placeholders, filled per alert.
ALERT_FIELDS = (
    ("ticker", '"{{ticker}}"'),
    ("order_action", '"{{strategy.order.action}}"'),
    ("order_contracts", "{{strategy.order.contracts}}"),
    ("order_price", "{{strategy.order.price}}"),
    ("mar_pos", '"{{strategy.market_position}}"'),
    ("mar_pos_size", "{{strategy.market_position_size}}"),
    ("pre_mar_pos", '"{{strategy.prev_market_position}}"'),
    ("pre_mar_pos_size", "{{strategy.prev_market_position_size}}"),
    ("order_comment", '"{{strategy.order.comment}}"'),
)


def alert_message(passphrase: str) -> str:
    lines = [f'    "passphrase": {json.dumps(passphrase)}']
    lines += [f'    "{key}": {value}' for key, value in ALERT_FIELDS]
    return "{\n" + ",\n".join(lines) + "\n}"


def _ago(moment):
    if moment is None:
        return None
    return {
        "local": moment.astimezone(display_zone()).strftime("%Y-%m-%d %H:%M:%S"),
        "ago": ago_text((timezone.now() - moment).total_seconds()),
        "seconds": (timezone.now() - moment).total_seconds(),
    }


def _context(request, delivered=None):
    staff = request.user.is_staff
    contact = selectors.bridge_last_seen()
    run = selectors.last_watchdog_run()
    watchdog = _ago(run.checked_at) if run is not None else None
    instruments = [p.name for p in active_pairs().order_by("name")] + [
        t.symbol for t in active_tickers().order_by("symbol")
    ]
    return {
        "held_count": held_signals().count(),
        "webhook_url": request.build_absolute_uri("/v3/webhook"),
        "price_url": request.build_absolute_uri("/v3/price"),
        "api_url": request.build_absolute_uri("/v3"),
        "message": alert_message(settings.WEBHOOK_PASSPHRASE if staff else PASSPHRASE_PLACEHOLDER),
        "passphrase": settings.WEBHOOK_PASSPHRASE if staff else None,
        "instruments": instruments,
        "bridge": contact,
        "bridge_seen": _ago(contact.last_seen) if contact is not None else None,
        "bridge_silent_after": settings.ALERT_BRIDGE_SILENT_AFTER,
        "watchdog": watchdog,
        # Three missed checks in a row: it is not running.
        "watchdog_stale": watchdog is None or watchdog["seconds"] > 3 * settings.WATCHDOG_INTERVAL,
        "open_alarms": list(selectors.open_alarms()[:20]),
        "destinations": [d.name for d in configured_destinations()],
        "delivered": delivered,
        "rejections": (
            list(RejectedRequest.objects.order_by("-last_seen")[:REJECTIONS_SHOWN]) if staff else []
        ),
        "zone": display_zone().key,
        "signal_log": reverse("signals:log"),
    }


@login_required
def setup(request):
    return render(request, "safetynet/setup.html", _context(request))


@staff_member_required
def test_notification(request):
    """Send a test message to every destination and show which took it (POST, CSRF)."""
    if request.method != "POST":
        return setup(request)
    delivered = deliver(
        Notification(
            "Pairs-API: test notification",
            f"Sent from the setup page by {request.user.get_username()}; nothing is wrong.",
            "info",
        )
    )
    return render(request, "safetynet/setup.html", _context(request, delivered=delivered))
