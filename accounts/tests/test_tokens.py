from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.models import RevokedSession
from pairsapi.testing import PASSWORD, V3Client, login

pytestmark = pytest.mark.django_db


def claims(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_login_answers_tokens_and_default_expiry(client_v3, trader):
    response = client_v3.post(
        "/v3/login", {"username": "trader", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "expire"}
    assert body["expire"] == 10
    access = claims(body["access_token"])
    assert access["fresh"] is True
    assert access["is_admin"] is False
    assert access["token_type"] == "access"
    assert 599 <= access["exp"] - access["iat"] <= 601
    assert claims(body["refresh_token"])["token_type"] == "refresh"


def test_login_expire_sets_lifetime_and_admin_claim(client_v3, staff):
    body = login(client_v3, "boss", expire="30")
    assert body["expire"] == 30
    access = claims(body["access_token"])
    assert access["is_admin"] is True
    assert 1799 <= access["exp"] - access["iat"] <= 1801


@pytest.mark.parametrize("expire", [0, -5, 1441, "ten", 1.5, True, [], None])
def test_login_expire_out_of_range_or_ill_typed_is_400(client_v3, trader, expire):
    response = client_v3.post(
        "/v3/login", {"username": "trader", "password": PASSWORD, "expire": expire}, format="json"
    )
    assert response.status_code == 400
    assert "expire" in response.json()["message"]


def test_login_wrong_password_or_unknown_user_is_401(client_v3, trader):
    for username, password in (("trader", "wrong"), ("nobody", PASSWORD)):
        response = client_v3.post(
            "/v3/login", {"username": username, "password": password}, format="json"
        )
        assert response.status_code == 401
        assert response.json() == {"message": "Invalid Credentials!"}


@pytest.mark.parametrize("missing", ["username", "password"])
def test_login_missing_field_is_400_naming_it(client_v3, trader, missing):
    body = {"username": "trader", "password": PASSWORD}
    del body[missing]
    response = client_v3.post("/v3/login", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"message": {missing: f"'{missing}' cannot be empty!"}}


def test_login_accepts_a_form_encoded_body(client_v3, trader):
    response = client_v3.post("/v3/login", {"username": "trader", "password": PASSWORD})
    assert response.status_code == 200


@pytest.mark.parametrize("raw", ["{bad json", "[1, 2]", '"text"', "NaN"])
def test_login_malformed_body_is_400_json(client_v3, raw):
    response = client_v3.send("POST", "/v3/login", raw=raw)
    assert response.status_code == 400
    assert isinstance(response.json()["message"], str)


def test_refresh_gives_a_non_fresh_access_token_that_works(client_v3, trader):
    tokens = login(client_v3, "trader", expire=20)
    response = V3Client().with_token(tokens["refresh_token"]).post("/v3/refresh")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token"}
    access = claims(body["access_token"])
    assert access["fresh"] is False
    assert 1199 <= access["exp"] - access["iat"] <= 1201
    # Not fresh: a fresh-token route refuses it, an optional-token list accepts it.
    api = V3Client().with_token(body["access_token"])
    refused = api.post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    assert refused.status_code == 401
    assert refused.json()["error"] == "fresh_token_required"


def test_refresh_refuses_an_access_token_and_a_missing_header(client_v3, trader):
    tokens = login(client_v3, "trader")
    response = V3Client().with_token(tokens["access_token"]).post("/v3/refresh")
    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"
    response = V3Client().post("/v3/refresh")
    assert response.status_code == 401
    assert response.json()["error"] == "authorization_required"


def test_an_access_token_is_not_a_refresh_token_either_way(client_v3, trader):
    tokens = login(client_v3, "trader")
    api = V3Client().with_token(tokens["refresh_token"])
    response = api.post("/v3/logout")
    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"


def test_logout_revokes_the_access_token_and_its_refresh_token(client_v3, trader):
    tokens = login(client_v3, "trader")
    api = V3Client().with_token(tokens["access_token"])
    response = api.post("/v3/logout")
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}
    again = api.post("/v3/logout")
    assert again.status_code == 401
    assert again.json()["error"] == "token_revoked"
    refreshed = V3Client().with_token(tokens["refresh_token"]).post("/v3/refresh")
    assert refreshed.status_code == 401
    assert refreshed.json()["error"] == "token_revoked"


def test_logout_leaves_other_sessions_alone(client_v3, trader):
    first = login(client_v3, "trader")
    second = login(client_v3, "trader")
    V3Client().with_token(first["access_token"]).post("/v3/logout")
    response = (
        V3Client()
        .with_token(second["access_token"])
        .post("/v3/regticker", {"symbol": "AAPL"}, format="json")
    )
    assert response.status_code == 201


def test_logout_prunes_revocations_that_can_no_longer_matter(client_v3, trader):
    RevokedSession.objects.create(session_id="old", expires_at=timezone.now() - timedelta(days=1))
    tokens = login(client_v3, "trader")
    V3Client().with_token(tokens["access_token"]).post("/v3/logout")
    assert list(RevokedSession.objects.values_list("session_id", flat=True)) == [
        claims(tokens["access_token"])["sid"]
    ]


def test_logout_without_token_is_401_authorization_required(client_v3):
    response = client_v3.post("/v3/logout")
    assert response.status_code == 401
    assert response.json()["error"] == "authorization_required"
    assert "message" in response.json()


def test_expired_token_is_refused_with_token_expired(client_v3, trader):
    tokens = login(client_v3, "trader")
    payload = claims(tokens["access_token"])
    payload["exp"] = int((timezone.now() - timedelta(minutes=1)).timestamp())
    expired = jwt.encode(payload, settings.SECRET_KEY, algorithm="HS256")
    response = V3Client().with_token(expired).post("/v3/logout")
    assert response.status_code == 401
    assert response.json()["error"] == "token_expired"


@pytest.mark.parametrize("header", ["Bearer not.a.token", "Bearer", "Basic abc", "Bearer a b"])
def test_garbage_token_is_token_invalid(client_v3, header):
    response = client_v3.post("/v3/logout", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"


def test_token_signed_with_another_key_is_invalid(client_v3, trader):
    tokens = login(client_v3, "trader")
    forged = jwt.encode(claims(tokens["access_token"]), "another-key", algorithm="HS256")
    response = V3Client().with_token(forged).post("/v3/logout")
    assert response.json()["error"] == "token_invalid"


def test_token_of_a_deleted_user_is_refused(client_v3, trader):
    tokens = login(client_v3, "trader")
    trader.delete()
    response = V3Client().with_token(tokens["access_token"]).post("/v3/logout")
    assert response.status_code == 401
    assert response.json()["error"] == "token_invalid"


def _sessions_of(username):
    """Two login sessions' tokens of ``username``."""
    return [login(V3Client(), username) for _ in range(2)]


def _assert_all_refused(sessions):
    for tokens in sessions:
        response = V3Client().with_token(tokens["access_token"]).get("/v3/signals/0")
        assert len(response.json()["signals"]) <= 5  # read anonymously: the token is refused
        response = V3Client().with_token(tokens["access_token"]).post("/v3/logout")
        assert response.status_code == 401
        assert response.json()["error"] == "token_revoked"
        refreshed = V3Client().with_token(tokens["refresh_token"]).post("/v3/refresh")
        assert refreshed.status_code == 401
        assert refreshed.json()["error"] == "token_revoked"


def test_a_password_change_through_the_api_ends_every_session_of_that_user(admin_api, trader):
    sessions = _sessions_of("trader")
    response = admin_api.put(
        "/v3/reguser", {"username": "trader", "password": "another-long-pass-77"}, format="json"
    )
    assert response.status_code == 200
    _assert_all_refused(sessions)
    # The admin's own session is untouched, and the new password logs in.
    assert admin_api.get("/v3/users/0").status_code == 200
    login(V3Client(), "trader", password="another-long-pass-77")


def test_a_password_change_in_the_admin_ends_every_session(staff_browser, trader):
    sessions = _sessions_of("trader")
    response = staff_browser.post(
        f"/admin/auth/user/{trader.pk}/password/",
        {"password1": "another-long-pass-77", "password2": "another-long-pass-77"},
    )
    assert response.status_code == 302, response.content
    _assert_all_refused(sessions)


def test_a_password_set_by_manage_py_changepassword_ends_every_session(trader):
    sessions = _sessions_of("trader")
    trader.set_password("another-long-pass-77")  # what changepassword does
    trader.save()
    _assert_all_refused(sessions)
