"""The log of refused webhook writes (``RejectedRequest``): what was sent, from where, and why,
the passphrase masked; bounded in size (one body of at most KEPT_BODY_CHARS per row, rows
grouped) and in age (REJECTED_KEEP_DAYS). A stored alert keeps its message the same way."""

import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from pairsapi.timestamps import utc_now_to_second

from .models import RejectedRequest

KEPT_BODY_CHARS = 2000
# Refusals of one route from one address for one reason within this many seconds share a row.
GROUP_SECONDS = 600
MASK = "***"
_PASSPHRASE_IN_TEXT = re.compile(r'("passphrase"\s*:\s*)"(?:[^"\\]|\\.)*"')


def masked_body(parsed, raw: bytes | None) -> str:
    """The body as sent, without the passphrase it carried.

    The text itself where the passphrase can be masked in it; otherwise (a form body, a
    passphrase in a list or spelt with escapes) the parsed fields written out as JSON.
    """
    text = _PASSPHRASE_IN_TEXT.sub(rf'\1"{MASK}"', (raw or b"").decode("utf-8", "replace"))
    if isinstance(parsed, dict) and (raw is None or _still_shows_passphrase(text, parsed)):
        shown = {k: (MASK if k == "passphrase" else v) for k, v in parsed.items()}
        text = json.dumps(shown, default=str)
    # PostgreSQL's text cannot hold a NUL; the log shows it as JSON would.
    return text.replace("\x00", "\\u0000")[:KEPT_BODY_CHARS]


def _still_shows_passphrase(text: str, parsed: dict) -> bool:
    secret = parsed.get("passphrase")
    return secret not in (None, "", MASK) and str(secret) in text


@transaction.atomic
def record_rejection(*, client_address: str, route: str, reason: str, body: str) -> None:
    reason = reason[:KEPT_BODY_CHARS]
    now = utc_now_to_second()
    group = RejectedRequest.objects.select_for_update().filter(
        client_address=client_address,
        route=route,
        reason=reason,
        last_seen__gte=now - timedelta(seconds=GROUP_SECONDS),
    )
    recent = group.first()
    if recent is not None:
        recent.count += 1
        recent.last_seen = now
        recent.save(update_fields=["count", "last_seen"])
        return
    RejectedRequest.objects.filter(
        last_seen__lt=now - timedelta(days=settings.REJECTED_KEEP_DAYS)
    ).delete()
    RejectedRequest.objects.create(
        first_seen=now,
        last_seen=now,
        client_address=client_address[:64],
        route=route[:100],
        reason=reason,
        body=body,
    )
