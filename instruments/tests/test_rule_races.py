"""The activity rules and the create-or-update routes under concurrent requests, each request on
its own database connection (a thread each), as two workers would send them."""

import contextlib
import threading

import pytest
from django.db import connection

from accounts import services as account_services
from instruments import services
from instruments.models import Pair, Ticker
from pairsapi.domain import RuleViolated

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(*calls):
    """Run each call in its own thread and connection; returns what each returned or raised."""
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as error:  # the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_a_new_active_ticker_and_an_active_pair_on_it_are_never_both_active(monkeypatch):
    """Both checks are held at a barrier after they pass: unless the writes are serialized
    before the checks, both requests see no conflict and both write."""
    both_checked = threading.Barrier(2, timeout=2)

    def checked_then_held(check):
        def held(*args):
            check(*args)
            # A broken barrier: the other request is queued behind this one, so go on.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait()

        return held

    monkeypatch.setattr(
        services,
        "check_single_may_be_active",
        checked_then_held(services.check_single_may_be_active),
    )
    monkeypatch.setattr(
        services, "check_pair_may_be_active", checked_then_held(services.check_pair_may_be_active)
    )
    outcomes = _run_together(
        lambda: services.register_ticker(symbol="S", active=True),
        lambda: services.register_pair(ticker1="S", ticker2="T", hedge=1.0, status=True),
    )
    refused = [o for o in outcomes if isinstance(o, RuleViolated)]
    assert len(refused) == 1, outcomes
    single_active = Ticker.objects.filter(symbol="S", active=True).exists()
    pair_active = Pair.objects.filter(name="S-T", status=True).exists()
    assert single_active != pair_active


def test_sixteen_concurrent_upserts_of_a_new_ticker_all_land():
    outcomes = _run_together(
        *[lambda n=n: services.upsert_ticker(symbol="NEW", order_type=f"T{n}") for n in range(16)]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(created for _, created in outcomes) == [False] * 15 + [True]
    assert Ticker.objects.filter(symbol="NEW").count() == 1


def test_sixteen_concurrent_upserts_of_a_new_user_all_land():
    outcomes = _run_together(
        *[
            lambda n=n: account_services.upsert_user(
                username="newcomer", password=f"a-long-password-{n:02}"
            )
            for n in range(16)
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(created for _, created in outcomes) == [False] * 15 + [True]
