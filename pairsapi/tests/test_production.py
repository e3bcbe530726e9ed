"""Production behaviour: throttles, body cap, health, request log, refusing demo secrets."""

import json
import logging
import os
import re
import runpy
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
import requests
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import OperationalError, connection
from django.test import RequestFactory

from pairsapi.api.throttles import PassphraseThrottle, _Leases, lease_size
from pairsapi.counters import count_hits
from pairsapi.models import ThrottleCounter
from pairsapi.testing import PASSWORD, ServerProcess, V3Client, database_url_of, make_user

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def tight_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "3/min", "passphrase": "4/min"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.mark.django_db
def test_login_is_throttled_and_wrong_passwords_count(tight_limits, trader):
    client = V3Client()
    for password in ("wrong", "wrong", PASSWORD):
        client.post("/v3/login", {"username": "trader", "password": password}, format="json")
    response = client.post("/v3/login", {"username": "trader", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["message"] == "too many requests, slow down."
    assert int(response["Retry-After"]) >= 1


@pytest.mark.django_db
def test_passphrase_routes_are_throttled_before_the_passphrase_check(tight_limits):
    client = V3Client()
    answers = [
        client.put("/v3/ticker/updatepnl", {"passphrase": "guess"}, format="json").status_code
        for _ in range(6)
    ]
    assert answers == [400, 400, 400, 400, 429, 429]


@pytest.mark.django_db
def test_other_routes_are_not_throttled(tight_limits):
    assert {V3Client().get("/v3/tickers/0").status_code for _ in range(10)} == {200}


@pytest.mark.django_db
def test_database_cache_counts_too(settings):
    # Without REDIS_URL the counters live in the database cache table.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "2/min", "passphrase": "2/min"},
    }
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    client = V3Client()
    statuses = [
        client.post("/v3/login", {"username": "x", "password": "y"}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [401, 401, 429]


@pytest.fixture
def redis_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
        }
    }
    client = redis.Redis.from_url(REDIS_TEST_URL)
    client.flushdb()
    return client


def test_redis_counter_is_one_script_call(redis_cache, monkeypatch):
    backend = caches["default"]

    def not_on_redis(*args, **kwargs):
        raise AssertionError("the Redis counter went through the generic get/set path")

    monkeypatch.setattr(backend, "incr", not_on_redis)
    monkeypatch.setattr(backend, "add", not_on_redis)
    assert [count_hits("window", 3, 30) for _ in range(3)] == [3, 6, 9]
    assert 0 < redis_cache.ttl(backend.make_key("window")) <= 30


@pytest.mark.parametrize("limit, lease", [(3, 1), (127, 1), (128, 2), (640, 10), (100_000, 10)])
def test_lease_size_follows_the_limit(limit, lease):
    assert lease_size(limit) == lease


def _request(address="10.0.0.1"):
    return RequestFactory().post("/v3/webhook", REMOTE_ADDR=address)


def _counted(client):
    (key,) = client.keys("*throttle*")
    return int(client.get(key))


def test_a_worker_counts_a_lease_of_hits_in_one_round_trip(redis_cache, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"passphrase": "640/min"},
    }
    throttle = PassphraseThrottle()
    seen = []
    for _ in range(25):
        assert throttle.allow_request(_request(), None)
        seen.append(_counted(redis_cache))
    # Three leases of 10: the shared counter moved 3 times, not 25.
    assert seen == [10] * 10 + [20] * 10 + [30] * 5


def test_workers_sharing_a_counter_never_admit_more_than_the_limit(redis_cache):
    # Three workers' lease books on one Redis counter; limit 200, so leases of 3.
    workers = [_Leases() for _ in range(3)]
    admitted = [0, 0, 0]
    for turn in range(300):
        index = turn % 3 if turn < 150 else 0  # later on, one worker takes all the traffic
        if workers[index].admit("throttle:test:ip:1", 1, 200, 61):
            admitted[index] += 1
    # Unused leased hits of the idle workers count against the limit: at most 2 each.
    assert 200 - 2 * 2 <= sum(admitted) <= 200
    # Once refused, a worker does not ask the counter again in that window.
    counted = _counted(redis_cache)
    assert not workers[0].admit("throttle:test:ip:1", 1, 200, 61)
    assert _counted(redis_cache) == counted
    # A new window starts afresh.
    assert workers[0].admit("throttle:test:ip:2", 2, 200, 61)


def test_concurrent_bursts_in_one_worker_admit_exactly_the_limit(redis_cache):
    # Six hundred a minute (leases of 9), bursts of fifty threads at once: every hit leased is
    # used, none lost to two threads' leases overwriting each other's leftovers.
    book = _Leases()
    admitted = []
    lock = threading.Lock()

    def alert():
        start.wait()
        allowed = book.admit("throttle:test:burst", 1, 600, 61)
        with lock:
            admitted.append(allowed)

    for _ in range(14):
        start = threading.Barrier(50)
        threads = [threading.Thread(target=alert) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert sum(admitted) == 600  # the limit exactly: not fewer, not more
    assert len(admitted) == 700


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
@pytest.mark.parametrize("shared_store", ["redis", "database"])
def test_throttle_counters_are_shared_by_server_processes(shared_store):
    make_user("trader")
    env = {"LOGIN_THROTTLE_RATE": "4/min"}
    if shared_store == "redis":
        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
        env["REDIS_URL"] = REDIS_TEST_URL
    else:
        ThrottleCounter.objects.all().delete()
    url = database_url_of(connection)
    with ServerProcess(url, env=env) as first, ServerProcess(url, env=env) as second:
        statuses = [
            requests.post(
                f"{server.url}/v3/login",
                json={"username": "trader", "password": PASSWORD},
                timeout=10,
            ).status_code
            for server in (first, second, first, second, first, second)
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_oversized_body_is_413_json():
    big = json.dumps({"passphrase": "webhook", "ticker": "X" * 70_000})
    response = V3Client().send("POST", "/v3/webhook", raw=big)
    assert response.status_code == 413
    assert "too large" in response.json()["message"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_oversized_chunked_body_is_413_over_http():
    with ServerProcess(database_url_of(connection)) as server:

        def chunks():
            for _ in range(100):
                yield b"x" * 1000

        response = requests.post(
            f"{server.url}/v3/webhook",
            data=chunks(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
    assert response.status_code == 413
    assert "too large" in response.json()["message"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_small_chunked_body_is_read_normally():
    with ServerProcess(database_url_of(connection)) as server:

        def chunks():
            yield b'{"passphrase": '
            yield b'"wrong"}'

        response = requests.put(
            f"{server.url}/v3/ticker/updatepnl",
            data=chunks(),
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
    assert response.json() == {"message": {"passphrase": "incorrect passphrase."}}


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_does():
    response = V3Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}


@pytest.mark.django_db
def test_healthz_and_api_answer_503_json_when_the_database_does_not(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    client = V3Client()
    client.raise_request_exception = False
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert "database" in body["message"]
    assert (body["status"], body["database"]) == ("down", "down")
    response = client.get("/v3/tickers/0")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


@pytest.mark.django_db
def test_one_json_log_line_per_request():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("pairsapi.requests")
    logger.addHandler(handler)
    try:
        V3Client().get("/v3/tickers/0")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(r.getMessage()) for r in records]
    assert len(lines) == 1
    assert lines[0]["method"] == "GET" and lines[0]["path"] == "/v3/tickers/0"
    assert lines[0]["status"] == 200 and lines[0]["duration_ms"] >= 0


STRONG_KEY = "PairsApi-prod-Qm7tV2xLp9rB4nW8cY1zH6dK3fJ5gS0aE_uRiOo"


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("ALLOW_DEMO_SECRETS", "WEBHOOK_PASSPHRASE", "ADMIN_PASSWORD")
    }
    return {**env, "DEBUG": "0", "SECRET_KEY": STRONG_KEY, **extra}


def run_manage(args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_demo_passphrase():
    result = run_manage(["check", "--deploy"], production_env())
    assert result.returncode != 0
    assert "WEBHOOK_PASSPHRASE is still the documented demo value" in result.stderr
    allowed = run_manage(["check", "--deploy"], production_env(ALLOW_DEMO_SECRETS="1"))
    assert allowed.returncode == 0, allowed.stderr


def test_production_refuses_a_demo_password_in_the_environment():
    result = run_manage(
        ["check", "--deploy"],
        production_env(WEBHOOK_PASSPHRASE="s3cret-hook", ADMIN_PASSWORD="123"),
    )
    assert result.returncode != 0
    assert "ADMIN_PASSWORD is the documented demo password" in result.stderr


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("x", "is too weak"),
        ("k" * 60, "is too weak"),
        ("x7!Qe" * 12, "is too weak"),  # long, but five characters over and over
        ("12345" * 10, "is too weak"),
        ("insecure-local-development-key-do-not-use-in-production", "the development key"),
        ("django-insecure-" + STRONG_KEY, "django-insecure-"),
    ],
)
def test_production_refuses_a_weak_or_known_secret_key(key, words):
    from pairsapi.checks import _weak_key

    assert words in _weak_key(key)  # each rule in process; one of them through manage.py
    assert _weak_key(STRONG_KEY) == ""


def test_manage_py_check_deploy_refuses_a_weak_key():
    result = run_manage(
        ["check", "--deploy"], production_env(WEBHOOK_PASSPHRASE="s3cret-hook", SECRET_KEY="x")
    )
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_a_weak_key_is_fine_for_development():
    result = run_manage(["check", "--deploy"], production_env(DEBUG="1", SECRET_KEY="x"))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("debug", ["0", "1"])
@pytest.mark.parametrize("passphrase", ["", "   "])
def test_an_empty_passphrase_is_refused_at_start(debug, passphrase):
    # Not a deployment rule: plain `check` (so `migrate` and `runserver` too) refuses it.
    result = run_manage(["check"], production_env(DEBUG=debug, WEBHOOK_PASSPHRASE=passphrase))
    assert result.returncode != 0
    assert "WEBHOOK_PASSPHRASE is empty" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = production_env(WEBHOOK_PASSPHRASE="s3cret-hook")
    del env["SECRET_KEY"]
    result = run_manage(["check", "--deploy"], env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("server", ["wsgi", "asgi"])
@pytest.mark.parametrize(
    "env, refusal",
    [
        ({}, "WEBHOOK_PASSPHRASE is still the documented demo value"),
        ({"WEBHOOK_PASSPHRASE": "s3cret-hook", "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
    ],
)
def test_wsgi_and_asgi_apply_the_same_rules_as_check_deploy(server, env, refusal):
    result = subprocess.run(
        [sys.executable, "-c", f"import pairsapi.{server}"],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "refusing to serve" in result.stderr and refusal in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        production_env(
            WEBHOOK_PASSPHRASE="s3cret-hook",
            SECRET_KEY=STRONG_KEY,
            ALLOWED_HOSTS="pairs.example.com",
            SECURE_SSL_REDIRECT="1",
            SECURE_COOKIES="1",
        ),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_server_refuses_to_start_while_admin_has_the_demo_password():
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("admin", password="123", is_staff=True)
    server = ServerProcess(
        database_url_of(connection),
        env={"ALLOW_DEMO_SECRETS": "0", "WEBHOOK_PASSPHRASE": "s3cret-hook"},
    )
    with pytest.raises(RuntimeError, match="demo password"):
        server.start(timeout=20)
    server.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.server
def test_static_files_are_compressed_and_cache_busted(tmp_path):
    env = {"STATIC_MANIFEST": "1", "STATIC_ROOT": str(tmp_path / "static")}
    collected = run_manage(["collectstatic", "--noinput"], {**os.environ, **env})
    assert collected.returncode == 0, collected.stderr
    with ServerProcess(database_url_of(connection), env=env) as server:
        page = requests.get(f"{server.url}/dashboard", timeout=10).text
        href = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
        css = requests.get(f"{server.url}{href}", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Content-Encoding"] == "gzip"
    assert "immutable" in css.headers["Cache-Control"]
    assert "svg.chart" in css.text


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_production_without_collectstatic_refuses_to_start_and_says_why(tmp_path):
    env = {"STATIC_MANIFEST": "1", "STATIC_ROOT": str(tmp_path / "never-collected")}
    server = ServerProcess(database_url_of(connection), env=env)
    with pytest.raises(RuntimeError, match="no static files manifest"):
        server.start(timeout=20)
    server.stop()


def test_procfile_runs_gunicorn_with_the_repos_config_and_migrates_on_release(monkeypatch):
    procfile = (ROOT / "Procfile").read_text()
    assert "release: python manage.py migrate --noinput" in procfile
    assert "exec gunicorn pairsapi.wsgi -c gunicorn.conf.py" in procfile
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "8")
    monkeypatch.setenv("PORT", "5000")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["workers"], config["threads"], config["bind"]) == (3, 8, "0.0.0.0:5000")
    assert config["worker_class"] == "gthread"


@pytest.mark.django_db(transaction=True)
def test_database_counter_loses_no_hits_when_workers_race():
    # Without Redis the counter lives in the database; four threads stand for four workers.
    assert not isinstance(caches["default"], RedisCache)

    def count_forty():
        try:
            for _ in range(40):
                count_hits("throttle:race", 1, 60)
        finally:
            connection.close()

    threads = [threading.Thread(target=count_forty) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert count_hits("throttle:race", 1, 60) == 4 * 40 + 1


@pytest.mark.django_db
def test_database_counters_of_ended_windows_are_dropped():
    count_hits("throttle:old-window", 3, -1)  # a window that has already ended
    count_hits("throttle:current", 3, 60)
    assert list(ThrottleCounter.objects.values_list("name", "hits")) == [("throttle:current", 3)]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/dashboard", "/admin/login/", "/v3/docs"])
def test_pages_carry_a_content_security_policy_without_inline_scripts(path):
    policy = V3Client().get(path)["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
