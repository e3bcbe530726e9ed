"""An alert carrying an ``alert_id`` is stored once: a replay within ALERT_DEDUPE_WINDOW seconds
(the same alert sent by webhook and by e-mail, a retry) stores nothing."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from pairsapi.domain import DuplicateAlert
from pairsapi.testing import V3Client
from pairsapi.timestamps import utc_now_to_second
from signals import inserts, services
from signals.models import AlertReceipt, Signal
from signals.tests.factories import alert


def post(body):
    return V3Client().post("/v3/webhook", body, format="json")


@pytest.mark.django_db
def test_a_replayed_alert_id_stores_nothing_and_names_the_first_row():
    first = post(alert(alert_id="42-1700000000"))
    assert first.status_code == 201
    rowid = Signal.objects.get().rowid
    again = post(alert(alert_id="42-1700000000", order_comment="the e-mail copy"))
    assert again.status_code == 200
    assert again.json() == {"message": f"duplicate alert: already stored as {rowid}."}
    assert Signal.objects.count() == 1


@pytest.mark.django_db
def test_alerts_without_an_alert_id_are_all_stored_as_before():
    assert [post(alert()).status_code for _ in range(2)] == [201, 201]
    assert Signal.objects.count() == 2
    assert not AlertReceipt.objects.exists()


@pytest.mark.django_db
def test_different_alert_ids_are_different_alerts():
    assert post(alert(alert_id="a")).status_code == 201
    assert post(alert(alert_id="b")).status_code == 201
    assert Signal.objects.count() == 2


@pytest.mark.django_db
def test_after_the_window_the_same_id_is_a_new_alert(settings):
    settings.ALERT_DEDUPE_WINDOW = 3600
    post(alert(alert_id="daily"))
    AlertReceipt.objects.update(received_at=utc_now_to_second() - timedelta(seconds=3601))
    assert post(alert(alert_id="daily")).status_code == 201
    newest = Signal.objects.order_by("-rowid").first()
    assert Signal.objects.count() == 2
    assert AlertReceipt.objects.get().signal_rowid == newest.rowid
    assert post(alert(alert_id="daily")).status_code == 200


@pytest.mark.django_db
def test_an_alert_id_longer_than_100_characters_is_a_400_storing_nothing():
    response = post(alert(alert_id="x" * 101))
    assert response.status_code == 400
    assert "alert_id" in response.json()["message"]
    assert not Signal.objects.exists() and not AlertReceipt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_insert_leaves_no_receipt_behind(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-alert")

    monkeypatch.setattr(services, "insert_signal", broken)
    with pytest.raises(RuntimeError):
        services.ingest_signal(alert_id="retry-me", **_fields())
    monkeypatch.setattr(services, "insert_signal", inserts.insert_signal)
    signal, _ = services.ingest_signal(alert_id="retry-me", **_fields())
    assert AlertReceipt.objects.get().signal_rowid == signal.rowid


def _fields():
    body = alert()
    body.pop("passphrase")
    return body


@pytest.mark.django_db(transaction=True)
def test_two_copies_arriving_together_on_two_connections_give_one_row():
    both_ready = threading.Barrier(2, timeout=10)
    outcomes = []

    def send():
        try:
            both_ready.wait()
            outcomes.append(services.ingest_signal(alert_id="same-moment", **_fields())[0].rowid)
        except DuplicateAlert as replay:
            outcomes.append(replay)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stored = [o for o in outcomes if isinstance(o, int)]
    replays = [o for o in outcomes if isinstance(o, DuplicateAlert)]
    assert len(stored) == 1 and len(replays) == 1, outcomes
    assert replays[0].rowid == stored[0]
    assert Signal.objects.count() == 1
