"""Fill reports for the two legs of one signal, arriving at the same moment on two database
connections, must both land: the service locks the signal's row before reading it."""

import threading
import time

import pytest
from django.db import connection, transaction

from signals import services
from signals.models import Signal
from signals.tests.factories import make_signal

pytestmark = pytest.mark.django_db(transaction=True)


def _in_own_connection(work, errors):
    def run():
        try:
            work()
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.parametrize("attempt", range(3))
def test_reports_for_both_legs_at_once_both_land(attempt):
    signal = make_signal(order_id1=7, order_id2=8, order_status="created")
    errors = []
    held, release = threading.Event(), threading.Event()

    def hold_the_row():
        # A third connection holds the row so both reports are queued on it at the same time.
        with transaction.atomic():
            Signal.objects.select_for_update().get(pk=signal.pk)
            held.set()
            release.wait(10)

    holder = _in_own_connection(hold_the_row, errors)
    holder.start()
    assert held.wait(10)
    reports = [
        _in_own_connection(
            lambda: services.record_fill(order_id=7, symbol="NMFC", price=12.6, filled_qty=603),
            errors,
        ),
        _in_own_connection(
            lambda: services.record_fill(order_id=8, symbol="ROIC", price=15.55, filled_qty=100),
            errors,
        ),
    ]
    for report in reports:
        report.start()
    time.sleep(0.3)  # let both reach the lock; correctness does not depend on this delay
    release.set()
    for thread in [holder, *reports]:
        thread.join(30)
    assert not errors, errors

    signal.refresh_from_db()
    assert (signal.price1, signal.price2) == (12.6, 15.55)
    assert (signal.filled_qty1, signal.filled_qty2) == (603, 100)
    assert signal.fill_price == 0.9375 and signal.slip == 0.0425
    assert signal.order_status == "part.filled"
    assert signal.status_msg == "remained(ROIC): 352"
