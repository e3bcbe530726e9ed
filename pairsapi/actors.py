"""Who is making the changes in this request or process, for the audit trail.

The database triggers that write the trail read it: on SQLite through the ``pairsapi_actor()``
function registered on each connection, on PostgreSQL through the ``pairsapi.actor`` setting,
put in front of each write statement (see ``audit.apps``).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SERVICE = "service"  # the service itself: the watchdog, management commands, migrations
PASSPHRASE = "passphrase"  # the webhook passphrase: TradingView or the broker bridge
ANONYMOUS = "anonymous"  # a request no credential was accepted for (a login, say)
STAFF_PREFIX = "staff:"  # staff:<name>, a person in the admin or the console
USER_PREFIX = "user:"  # user:<name>, an access token: a script, a bridge

_actor: ContextVar[str] = ContextVar("pairsapi_actor", default=SERVICE)


def current_actor() -> str:
    return _actor.get()


def set_actor(actor: str) -> None:
    """Name the actor for the rest of this request (the middleware resets it afterwards)."""
    _actor.set(actor[:150])


def user_actor(user, *, staff_site: bool = False) -> str:
    return f"{STAFF_PREFIX if staff_site else USER_PREFIX}{user.get_username()}"


@contextmanager
def acting_as(actor: str) -> Iterator[None]:
    token = _actor.set(actor[:150])
    try:
        yield
    finally:
        _actor.reset(token)
