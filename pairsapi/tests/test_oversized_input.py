"""Bodies and headers past what the service parses are refused with a 4xx saying so, never a
500: a form of over a thousand fields, a multipart body of over a hundred files, a NUL in a
page's query, a non-ASCII digit in Last-Event-ID."""

import pytest
from django.test import Client

from pairsapi.testing import V3Client, close_stream

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("route", ["/v3/webhook", "/v3/signal/updateorder"])
def test_a_form_of_too_many_fields_is_a_400_in_json(route):
    body = "&".join(f"f{n}=1" for n in range(1500))
    method = V3Client().post if route == "/v3/webhook" else V3Client().put
    answer = method(route, body, content_type=FORM)
    assert answer.status_code == 400
    assert "too many" in answer.json()["message"].lower()


@pytest.mark.parametrize("route", ["/v3/webhook", "/v3/signal/updateorder"])
def test_a_multipart_body_of_too_many_files_is_a_400_in_json(route):
    boundary = "xyz"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{n}"; filename="f{n}.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nx\r\n"
        for n in range(150)
    )
    body = parts + f"--{boundary}--\r\n"
    client = V3Client()
    method = client.post if route == "/v3/webhook" else client.put
    answer = method(route, body, content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code == 400
    assert "too many" in answer.json()["message"].lower()


def test_a_nul_in_the_order_pages_query_is_no_server_error(staff_browser):
    answer = staff_browser.get("/orders/new?instrument=%00&kind=close")
    assert answer.status_code == 200
    assert (
        "no ticker or pair" in answer.content.decode() or "Manual order" in answer.content.decode()
    )


def test_a_non_ascii_digit_in_last_event_id_is_no_server_error(staff_browser):
    answer = staff_browser.get("/live/signals", headers={"last-event-id": "\u00b2"})
    assert answer.status_code == 200
    close_stream(answer)


def test_an_anonymous_page_request_with_a_bad_header_is_no_server_error():
    assert Client().get("/live/signals", headers={"last-event-id": "\u00b2"}).status_code == 401
