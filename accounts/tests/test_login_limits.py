"""One limit on password guesses through every door: the API, the pages and the admin."""

import pytest
from django.test import Client

from pairsapi.testing import PASSWORD, V3Client

pytestmark = pytest.mark.django_db

LIMIT = 4


@pytest.fixture
def tight_login_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": f"{LIMIT}/min", "passphrase": "1000/min"},
    }


def api_login(password, username="boss", address="10.0.0.1"):
    client = V3Client(REMOTE_ADDR=address)
    return client.post("/v3/login", {"username": username, "password": password}, format="json")


def page_login(password, username="boss", address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": username, "password": password})


def admin_login(password, username="boss", address="10.0.0.1"):
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/", {"username": username, "password": password}
    )


DOORS = {"api": api_login, "page": page_login, "admin": admin_login}


@pytest.mark.parametrize("door", DOORS)
def test_past_the_limit_every_door_answers_429_and_refuses_the_right_password(
    tight_login_limit, staff, door
):
    login = DOORS[door]
    for _ in range(LIMIT):
        assert login("guess").status_code in (200, 401)  # a form shown again, or 401
    refused = login(PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    if door == "api":
        assert refused.json()["message"] == "too many requests, slow down."
    else:
        assert "Too many login attempts" in refused.content.decode()


def test_the_three_doors_share_one_count(tight_login_limit, staff):
    assert api_login("guess").status_code == 401
    assert page_login("guess").status_code == 200
    assert admin_login("guess").status_code == 200
    assert page_login("guess").status_code == 200
    assert api_login(PASSWORD).status_code == 429
    assert admin_login(PASSWORD).status_code == 429


def test_a_username_is_limited_across_addresses(tight_login_limit, staff):
    for number in range(LIMIT):
        assert page_login("guess", address=f"10.0.1.{number}").status_code == 200
    assert api_login(PASSWORD, address="10.0.2.1").status_code == 429
    # The same username spelled in another case or width is the same person.
    assert api_login(PASSWORD, username="BOSS", address="10.0.2.2").status_code == 429


def test_an_address_is_limited_across_usernames(tight_login_limit, staff):
    for number in range(LIMIT):
        assert api_login("guess", username=f"user{number}").status_code == 401
    assert page_login(PASSWORD).status_code == 429


def test_within_the_limit_the_right_password_works_everywhere(tight_login_limit, staff):
    assert api_login(PASSWORD).status_code == 200
    assert page_login(PASSWORD, address="10.0.3.1").status_code == 302
    assert admin_login(PASSWORD, address="10.0.3.2").status_code == 302


def test_a_stranger_guessing_the_owners_name_does_not_lock_the_owner_out(tight_login_limit, staff):
    assert api_login(PASSWORD, address="10.0.4.1").status_code == 200  # the owner's address
    for number in range(2 * LIMIT):  # a stranger, from addresses of their own
        assert page_login("guess", address=f"10.0.5.{number}").status_code in (200, 429)
    assert api_login(PASSWORD, address="10.0.5.99").status_code == 429  # strangers are stopped
    assert api_login(PASSWORD, address="10.0.4.1").status_code == 200  # the owner is not
    assert page_login(PASSWORD, address="10.0.4.1").status_code == 302
    for _ in range(LIMIT):  # but guesses from the owner's own address still count there
        api_login("guess", address="10.0.4.1")
    assert api_login(PASSWORD, address="10.0.4.1").status_code == 429
