"""The setup and health page: what to paste into TradingView, and whether the bridge, the
watchdog and the notifications work."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from safetynet.services import note_watchdog_check, record_bridge_contact
from signals.models import RejectedRequest

pytestmark = pytest.mark.django_db


def page(client):
    response = client.get("/setup")
    assert response.status_code == 200
    return response.content.decode()


def test_a_trader_gets_the_url_and_message_without_the_passphrase(browser, settings):
    settings.WEBHOOK_PASSPHRASE = "s3cret-phrase"
    html = page(browser)
    assert "http://testserver/v3/webhook" in html
    assert "&quot;order_action&quot;: &quot;{{strategy.order.action}}&quot;" in html
    assert "YOUR WEBHOOK_PASSPHRASE" in html and "s3cret-phrase" not in html
    assert 'id="test-alert"' not in html and 'id="rejections"' not in html


def test_staff_get_the_passphrase_the_test_alert_and_the_refused_requests(staff_browser, settings):
    settings.WEBHOOK_PASSPHRASE = "s3cret-phrase"
    now = timezone.now()
    RejectedRequest.objects.create(
        first_seen=now,
        last_seen=now,
        client_address="203.0.113.9",
        route="POST /v3/webhook",
        reason="passphrase: incorrect passphrase.",
        count=4,
    )
    html = page(staff_browser)
    assert "&quot;passphrase&quot;: &quot;s3cret-phrase&quot;" in html
    assert 'id="test-alert"' in html and 'data-passphrase="s3cret-phrase"' in html
    assert "203.0.113.9" in html and "passphrase: incorrect passphrase." in html


def test_the_bridge_and_the_watchdog_are_reported_as_they_are(browser, settings):
    html = page(browser)
    assert "No bridge has been seen yet." in html
    assert "The watchdog has never run here." in html
    now = timezone.now()
    record_bridge_contact(address="10.0.0.7", route="GET /v3/signals/stream", at=now)
    note_watchdog_check(at=now - timedelta(seconds=2))
    html = page(browser)
    assert "10.0.0.7" in html and "GET /v3/signals/stream" in html
    assert "Running: last check just now" in html
    note_watchdog_check(at=now - timedelta(minutes=10))
    assert "Not running: its last check was 10 min ago" in page(browser)


def test_a_test_notification_reaches_each_destination(staff_browser, settings):
    settings.NOTIFY_URLS = []
    settings.NOTIFY_EMAILS = ["desk@example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    html = page(staff_browser)
    assert "<code>e-mail</code>" in html
    response = staff_browser.post("/setup/notify")
    assert response.status_code == 200
    assert 'e-mail: <span class="gain">delivered</span>' in response.content.decode()
    assert [m.subject for m in mail.outbox] == ["Pairs-API: test notification"]
    assert mail.outbox[0].to == ["desk@example.com"]


def test_without_destinations_the_page_says_nobody_would_hear(browser, settings):
    settings.NOTIFY_URLS, settings.NOTIFY_EMAILS = [], []
    assert "No destination is configured" in page(browser)


def test_only_staff_send_test_notifications(browser):
    response = browser.post("/setup/notify")
    assert response.status_code == 302 and "/admin/login" in response["Location"]
