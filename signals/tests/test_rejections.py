"""Refused webhook writes are kept for staff, the passphrase masked, bounded in size and age, a
guessing run grouped into one row."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from pairsapi.testing import V3Client
from pairsapi.timestamps import utc_now_to_second
from signals.models import RejectedRequest, Signal
from signals.rejections import KEPT_BODY_CHARS, masked_body
from signals.tests.factories import alert, make_signal

pytestmark = pytest.mark.django_db


def post(raw, content_type="text/plain", address="203.0.113.7"):
    return Client(REMOTE_ADDR=address).post("/v3/webhook", raw, content_type=content_type)


def test_a_wrong_passphrase_is_kept_with_the_passphrase_masked():
    response = post(json.dumps(alert(passphrase="hunter2")))
    assert response.status_code == 400
    kept = RejectedRequest.objects.get()
    assert (kept.route, kept.client_address, kept.count) == ("POST /v3/webhook", "203.0.113.7", 1)
    assert "incorrect passphrase" in kept.reason
    assert "hunter2" not in kept.body and '"passphrase": "***"' in kept.body
    assert json.loads(kept.body)["ticker"] == "NMFC-0.75*NASDAQ:ROIC"


def test_bad_json_is_kept_as_sent_without_its_passphrase():
    raw = '{"passphrase": "hook\\"s secret", "ticker": "AAPL", "order_action": "buy",'
    assert post(raw).status_code == 400
    kept = RejectedRequest.objects.get()
    assert kept.reason.startswith("malformed request body")
    assert "secret" not in kept.body
    assert kept.body.startswith('{"passphrase": "***", "ticker": "AAPL"')


def test_bad_fields_are_kept_with_the_field_named():
    assert post(json.dumps(alert(order_contracts=0))).status_code == 400
    kept = RejectedRequest.objects.get()
    assert "order_contracts" in kept.reason
    assert '"passphrase": "***"' in kept.body and '"order_contracts": 0' in kept.body
    assert not Signal.objects.exists()


def test_a_refused_write_back_from_the_bridge_is_kept_too():
    signal = make_signal()
    body = {"passphrase": "webhook", "rowid": signal.rowid, "timestamp": "yesterday"}
    assert V3Client().put("/v3/webhook", body, format="json").status_code == 400
    kept = RejectedRequest.objects.get()
    assert kept.route == "PUT /v3/webhook" and "timestamp" in kept.reason


def test_a_guessing_run_is_one_row_with_a_count():
    for guess in range(50):
        post(json.dumps(alert(passphrase=f"guess-{guess}")))
    post(json.dumps(alert(passphrase="x")), address="198.51.100.9")
    assert RejectedRequest.objects.count() == 2
    run = RejectedRequest.objects.get(client_address="203.0.113.7")
    assert run.count == 50 and "guess-0" not in run.body


def test_bodies_are_cut_and_old_rows_dropped(settings):
    settings.REJECTED_KEEP_DAYS = 30
    old = RejectedRequest.objects.create(
        first_seen=utc_now_to_second() - timedelta(days=31),
        last_seen=utc_now_to_second() - timedelta(days=31),
        client_address="192.0.2.1",
        route="POST /v3/webhook",
        reason="old",
    )
    post(json.dumps(alert(passphrase="wrong", order_comment="c" * 10_000)))
    assert not RejectedRequest.objects.filter(pk=old.pk).exists()
    assert len(RejectedRequest.objects.get().body) == KEPT_BODY_CHARS


def test_accepted_alerts_and_throttled_requests_leave_no_trace(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "10/min", "passphrase": "1/min"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    statuses = [post(json.dumps(alert())).status_code for _ in range(3)]
    assert statuses == [201, 429, 429]
    assert not RejectedRequest.objects.exists()


def test_staff_read_the_log_in_the_admin(staff_browser):
    post(json.dumps(alert(passphrase="hunter2")))
    page = staff_browser.get("/admin/signals/rejectedrequest/")
    assert page.status_code == 200 and "incorrect passphrase" in page.content.decode()
    detail = staff_browser.get(
        f"/admin/signals/rejectedrequest/{RejectedRequest.objects.get().pk}/change/"
    )
    assert detail.status_code == 200 and "hunter2" not in detail.content.decode()


@pytest.mark.parametrize(
    "raw",
    [
        '{"passphrase": "x", "ticker": "A\x00B"',  # NUL: PostgreSQL text cannot hold one
        '{"passphrase": "x\udcff", "ticker"',  # a lone surrogate
        b'{"ticker": "\xff\xfe"',  # not UTF-8
    ],
)
def test_whatever_was_sent_the_log_takes_it(raw):
    response = post(raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass"))
    assert response.status_code == 400
    kept = RejectedRequest.objects.get()
    assert "\x00" not in kept.body


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        # A form body (curl -d without JSON): the fields are written out instead.
        (b"passphrase=hook-secret&ticker=AAPL", {"passphrase": "hook-secret", "ticker": "AAPL"}),
        # A one-element list, unwrapped by the parser; the text's pattern does not match it.
        (b'{"passphrase": ["hook-secret"], "ticker": "AAPL"}', {"passphrase": "hook-secret"}),
        # The key spelt with a JSON escape.
        (b'{"pass\\u0070hrase": "hook-secret"}', {"passphrase": "hook-secret"}),
        # A number for a passphrase.
        (b'{"passphrase": 123456789}', {"passphrase": 123456789}),
    ],
)
def test_a_passphrase_the_text_cannot_mask_is_still_never_kept(raw, parsed):
    kept = masked_body(parsed, raw)
    assert "hook-secret" not in kept and "123456789" not in kept
    assert json.loads(kept)["passphrase"] == "***"


def test_a_body_that_masks_cleanly_is_kept_as_sent():
    raw = b'{ "ticker":"AAPL",\n"passphrase" : "a\\"b" }'
    assert masked_body({"ticker": "AAPL", "passphrase": 'a"b'}, raw) == (
        '{ "ticker":"AAPL",\n"passphrase" : "***" }'
    )


def test_passphrases_guessed_on_the_stream_count_and_are_kept(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "10/min", "passphrase": "3/min"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = V3Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.get("/v3/signals/stream", HTTP_X_PASSPHRASE=f"guess{n}").status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    kept = RejectedRequest.objects.get()
    assert (kept.client_address, kept.route, kept.count) == (
        "203.0.113.9",
        "GET /v3/signals/stream",
        3,
    )
    assert kept.reason == "wrong passphrase in X-Passphrase"
