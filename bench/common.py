"""Shared by the benchmark and the load/fault runs: a scratch PostgreSQL database, the server
environment, and wrk."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://root@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

PAIR_ALERT = (
    '{"passphrase": "webhook", "ticker": "NMFC-0.75*NASDAQ:ROIC", "order_action": "buy", '
    '"order_contracts": 603, "order_price": 0.98, "mar_pos": "long", "mar_pos_size": 603, '
    '"pre_mar_pos": "flat", "pre_mar_pos_size": 0, "order_comment": "Enter Long"}'
)


def server_env(database_url):
    """Production settings, but plain HTTP on loopback and the demo passphrase."""
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-Qm7tV2xLp9rB4nW8cY1zH6dK3fJ5gS0aE_uRiOo-not-a-secret",
        "ALLOW_DEMO_SECRETS": "1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_MANIFEST": "0",
        "REDIS_URL": REDIS_URL,
        # Counted, never reached: the throttle's cost is measured, not its refusals.
        "PASSPHRASE_THROTTLE_RATE": "100000000/min",
        "LOGIN_THROTTLE_RATE": "100000000/min",
        "BENCH_BASELINE": "1",
    }


def psql(sql, database="postgres"):
    subprocess.run(
        ["psql", f"{PG_SERVER}/{database}", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True
    )


def fresh_database(name):
    """Drop and create a scratch database, migrate it, and point this process's Django at it."""
    psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(f"CREATE DATABASE {name}")
    url = f"{PG_SERVER}/{name}"
    env = {**os.environ, **server_env(url)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(server_env(url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pairsapi.settings"
    import django

    django.setup()
    return url


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing Debian's wrk")
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def wrk(url, seconds=10, connections=8, threads=2, body=None):
    """Run wrk; returns requests/s, p50 and p99 in ms, and the count of errors."""
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        url,
    ]
    with tempfile.TemporaryDirectory() as folder:
        if body is not None:
            script = Path(folder) / "post.lua"
            escaped = body.replace("\\", "\\\\").replace('"', '\\"')
            script.write_text(
                f'wrk.method = "POST"\nwrk.body = "{escaped}"\n'
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
            command[1:1] = ["-s", str(script)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket.groups()) if socket else 0
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(latency["50"]),
        "p99": _ms(latency["99"]),
        "errors": errors,
    }


def row(name, result):
    return (
        f"{name:<44} {result['rps']:>9.0f} req/s   p50 {result['p50']:>7.2f} ms   "
        f"p99 {result['p99']:>7.2f} ms   errors {result['errors']}"
    )
