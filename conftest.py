import pytest
from django.test import Client

from pairsapi.api.throttles import forget_leases
from pairsapi.testing import PASSWORD, V3Client, login, make_user


@pytest.fixture(autouse=True)
def no_throttle_leases():
    """Each test starts holding no throttle hits: a lease belongs to one cache and one limit."""
    forget_leases()


@pytest.fixture(scope="session", autouse=True)
def _signal_listener_stopped_before_teardown(django_db_setup, django_db_blocker):
    """The stream's LISTEN connection would keep the test database from being dropped."""
    yield
    from signals.wakeups import bell

    bell.stop_listening()


@pytest.fixture
def client_v3():
    return V3Client()


@pytest.fixture
def staff(db):
    return make_user("boss", staff=True)


@pytest.fixture
def trader(db):
    return make_user("trader")


@pytest.fixture
def admin_api(staff):
    """A client holding a fresh admin access token."""
    tokens = login(V3Client(), "boss")
    return V3Client().with_token(tokens["access_token"])


@pytest.fixture
def trader_api(trader):
    """A client holding a fresh non-admin access token."""
    tokens = login(V3Client(), "trader")
    return V3Client().with_token(tokens["access_token"])


@pytest.fixture
def staff_browser(staff):
    """A page client logged in (session) as staff."""
    client = Client()
    assert client.login(username="boss", password=PASSWORD)
    return client


@pytest.fixture
def browser(trader):
    """A page client logged in (session) as a non-staff trader."""
    client = Client()
    assert client.login(username="trader", password=PASSWORD)
    return client
