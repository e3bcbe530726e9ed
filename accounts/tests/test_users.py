import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from pairsapi.testing import V3Client, login

pytestmark = pytest.mark.django_db

STRONG = "a-well-chosen-pass-47"


def test_reguser_creates_a_user_with_a_hashed_password(admin_api):
    response = admin_api.post(
        "/v3/reguser", {"username": "user2", "password": "pw-2-well-chosen"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"message": "'user' created successfully."}
    user = get_user_model().objects.get(username="user2")
    assert user.password != "pw-2-well-chosen" and user.check_password("pw-2-well-chosen")
    assert not user.is_staff
    assert login(V3Client(), "user2", "pw-2-well-chosen")["access_token"]


def test_reguser_duplicate_is_400(admin_api, trader):
    response = admin_api.post(
        "/v3/reguser", {"username": "trader", "password": STRONG}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"message": "'username' already exists."}


def test_reguser_put_changes_password_of_existing_user(admin_api, trader):
    response = admin_api.put(
        "/v3/reguser", {"username": "trader", "password": "new-pw-well-chosen"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"username": "trader"}
    trader.refresh_from_db()
    assert trader.check_password("new-pw-well-chosen")


def test_reguser_put_creates_a_new_user(admin_api):
    response = admin_api.put(
        "/v3/reguser", {"username": "user3", "password": STRONG}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"message": "'user' created successfully."}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": "x"}, "username"),
        ({"username": "u"}, "password"),
        ({"username": "", "password": "x"}, "username"),
        ({"username": "a b", "password": "x"}, "username"),
        ({"username": "u" * 151, "password": "x"}, "username"),
        ({"username": ["u", "v"], "password": "x"}, "username"),
        ({"username": [], "password": "x"}, "username"),
        ({"username": "u", "password": "x" * 129}, "password"),
    ],
)
def test_reguser_bad_bodies_are_400_naming_the_field(admin_api, body, field):
    response = admin_api.post("/v3/reguser", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"]
    assert get_user_model().objects.count() == 1


def test_users_list_newest_first_and_limited(admin_api, trader):
    get_user_model().objects.create_user("third", password="x")
    response = admin_api.get("/v3/users/0")
    assert response.status_code == 200
    assert response.json() == {
        "users": [{"username": "third"}, {"username": "trader"}, {"username": "boss"}]
    }
    assert admin_api.get("/v3/users/2").json()["users"] == [
        {"username": "third"},
        {"username": "trader"},
    ]
    assert admin_api.get("/v3/users/-1").status_code == 400
    assert admin_api.get("/v3/users/abc").status_code == 400


def test_user_get_and_delete(admin_api, trader):
    assert admin_api.get("/v3/user/trader").json() == {"username": "trader"}
    response = admin_api.delete("/v3/user/trader")
    assert response.status_code == 200
    assert response.json() == {"message": "'user' deleted successfully."}
    assert admin_api.get("/v3/user/trader").status_code == 404
    missing = admin_api.delete("/v3/user/trader")
    assert missing.status_code == 404
    assert missing.json() == {"message": "item not found."}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/v3/reguser", {"username": "x", "password": "y"}),
        ("put", "/v3/reguser", {"username": "x", "password": "y"}),
        ("get", "/v3/users/0", None),
        ("get", "/v3/user/boss", None),
        ("delete", "/v3/user/boss", None),
    ],
)
def test_user_routes_need_a_fresh_admin_token(trader_api, staff, method, path, body):
    response = getattr(trader_api, method)(path, body, format="json")
    assert response.status_code == 403
    assert response.json() == {"message": "'admin' privilege required."}
    anonymous = getattr(V3Client(), method)(path, body, format="json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"] == "authorization_required"
    refreshed = V3Client().with_token(
        V3Client()
        .with_token(login(V3Client(), "boss")["refresh_token"])
        .post("/v3/refresh")
        .json()["access_token"]
    )
    stale = getattr(refreshed, method)(path, body, format="json")
    assert stale.status_code == 401
    assert stale.json()["error"] == "fresh_token_required"
    assert get_user_model().objects.filter(username="boss").exists()


@pytest.mark.parametrize(
    "password, why",
    [
        ("x", "too short"),
        ("password123", "too common"),
        ("83749201937", "entirely numeric"),
        ("carol-smith", "too similar to the username"),
    ],
)
@pytest.mark.parametrize("method", ["post", "put"])
def test_a_weak_password_is_refused_naming_why(admin_api, method, password, why):
    response = getattr(admin_api, method)(
        "/v3/reguser", {"username": "carol-smith", "password": password}, format="json"
    )
    assert response.status_code == 400
    assert why in response.json()["message"]["password"]
    assert not get_user_model().objects.filter(username="carol-smith").exists()


def test_a_weak_new_password_for_an_existing_user_changes_nothing(admin_api, trader):
    response = admin_api.put("/v3/reguser", {"username": "trader", "password": "1"}, format="json")
    assert response.status_code == 400
    login(V3Client(), "trader")  # the old password still works


def test_with_debug_on_the_demo_password_is_taken(admin_api, settings):
    settings.DEBUG = True
    response = admin_api.post("/v3/reguser", {"username": "demo", "password": "123"}, format="json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "username, message",
    [
        ("Trader", "'username' already exists."),
        ("TRADER", "'username' already exists."),
        ("\uff34rader", "'username' already exists."),  # fullwidth T: NFKC makes it Trader
        (
            "tr\u0430der",
            "'username' may hold only ASCII letters, digits and @ . + - _",
        ),  # Cyrillic a
    ],
)
def test_a_username_that_is_another_in_disguise_is_refused(admin_api, trader, username, message):
    response = admin_api.post(
        "/v3/reguser", {"username": username, "password": STRONG}, format="json"
    )
    assert response.status_code == 400
    body = response.json()["message"]
    assert (body if isinstance(body, str) else body["username"]) == message
    assert get_user_model().objects.count() == 2


def test_put_with_another_case_changes_the_existing_users_password(admin_api, trader):
    response = admin_api.put(
        "/v3/reguser", {"username": "TRADER", "password": STRONG}, format="json"
    )
    assert response.json() == {"username": "trader"}
    login(V3Client(), "trader", password=STRONG)


def test_the_database_refuses_a_second_username_differing_only_in_case(trader):
    with pytest.raises(IntegrityError), transaction.atomic():
        get_user_model().objects.create_user("TRADER", password=STRONG)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"username": "Boss", "password1": STRONG, "password2": STRONG}, "already exists"),
        ({"username": "b\u043ess", "password1": STRONG, "password2": STRONG}, "ASCII"),
        ({"username": "newbie", "password1": "short", "password2": "short"}, "too short"),
    ],
)
def test_the_admin_applies_the_same_rules(staff_browser, form, message):
    response = staff_browser.post("/admin/auth/user/add/", {**form, "usable_password": "true"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert get_user_model().objects.count() == 1
