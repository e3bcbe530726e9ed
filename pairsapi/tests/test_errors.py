"""Every answer under /v3/ is JSON, errors included."""

import pytest

from instruments import selectors
from pairsapi.testing import V3Client

pytestmark = pytest.mark.django_db


def test_unknown_route_is_json_404():
    response = V3Client().get("/v3/no/such/route")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "no such route" in response.json()["message"]


def test_unknown_route_is_json_404_even_with_debug_on(settings):
    settings.DEBUG = True
    response = V3Client().get("/v3/tickerz/0")
    assert response.status_code == 404
    assert response.json()["message"].startswith("no such route")


def test_wrong_method_is_json_405():
    response = V3Client().post("/v3/tickers/0")
    assert response.status_code == 405
    assert response.json() == {"message": "method POST is not allowed here."}


@pytest.mark.parametrize("debug", [False, True])
def test_unexpected_error_is_json_500(monkeypatch, settings, debug):
    settings.DEBUG = debug

    def broken(number):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "newest_tickers", broken)
    client = V3Client()
    client.raise_request_exception = False
    response = client.get("/v3/tickers/0")
    assert response.status_code == 500
    assert response.json() == {"message": "internal server error."}


def test_malformed_json_is_400_naming_the_problem():
    response = V3Client().send("PUT", "/v3/ticker/updatepnl", raw='{"passphrase": ')
    assert response.status_code == 400
    assert response.json()["message"].startswith("malformed request body")


@pytest.mark.parametrize("raw", ["[" * 30000 + "]" * 30000, '{"a":' * 10000 + "1" + "}" * 10000])
def test_json_nested_too_deeply_is_400_not_500(raw):
    client = V3Client()
    client.raise_request_exception = False
    response = client.send("POST", "/v3/webhook", raw=raw)
    assert response.status_code == 400
    assert response.json() == {"message": "malformed request body: JSON nested too deeply."}


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/v3/ticker/A%00B"),
        ("delete", "/v3/pair/A%00-B"),
        ("get", "/v3/user/a%00"),
        ("get", "/v3/signals/ticker/A%00/1"),
        ("get", "/v3/signals/status/wait%07ing/1"),
    ],
)
def test_control_characters_in_the_path_are_400(admin_api, method, path):
    admin_api.raise_request_exception = False
    response = getattr(admin_api, method)(path)
    assert response.status_code == 400
    assert response.json() == {"message": "the path holds a control character."}


def test_body_that_is_not_an_object_is_400():
    response = V3Client().send("PUT", "/v3/ticker/updatepnl", raw="[1, 2, 3]")
    assert response.status_code == 400
    assert response.json() == {"message": "the request body must be a JSON object."}


def test_unsupported_content_type_is_json_415():
    response = V3Client().send(
        "PUT", "/v3/ticker/updatepnl", raw="<xml/>", content_type="application/xml"
    )
    assert response.status_code == 415
    assert "unsupported content type" in response.json()["message"]


def test_text_plain_json_body_is_read_as_json():
    # TradingView sends its alert message as text/plain.
    response = V3Client().send(
        "PUT", "/v3/ticker/updatepnl", raw='{"passphrase": "wrong"}', content_type="text/plain"
    )
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}


def test_pages_outside_v3_keep_html_404():
    response = V3Client().get("/definitely-not-a-page")
    assert response.status_code == 404
    assert "application/json" not in response["Content-Type"]
