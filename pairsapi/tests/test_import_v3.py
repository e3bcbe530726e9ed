import os
import sqlite3
from datetime import UTC, datetime
from io import StringIO

import psycopg2
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from instruments.models import Pair, Ticker
from pairsapi.testing import V3Client
from pnl.models import AccountSnapshot
from signals.models import Signal

pytestmark = pytest.mark.django_db(transaction=True)

V3_SCHEMA = """
CREATE TABLE tickers (rowid INTEGER PRIMARY KEY, symbol VARCHAR(40) UNIQUE, sectype TEXT,
    xch TEXT, prixch TEXT, currency TEXT, order_type TEXT, active INTEGER, active_pos FLOAT,
    active_pnl FLOAT, active_cost FLOAT);
CREATE TABLE pairs (rowid INTEGER PRIMARY KEY, name TEXT UNIQUE, ticker1 TEXT, ticker2 TEXT,
    hedge FLOAT, status INTEGER, notes TEXT);
CREATE TABLE signals (rowid INTEGER PRIMARY KEY, timestamp DATETIME, ticker TEXT,
    order_action TEXT, order_contracts INTEGER, order_price FLOAT, mar_pos TEXT,
    mar_pos_size INTEGER, pre_mar_pos TEXT, pre_mar_pos_size INTEGER, order_comment TEXT,
    order_status TEXT, ticker_type TEXT, stk_ticker1 TEXT, stk_ticker2 TEXT, hedge_param FLOAT,
    order_id1 INTEGER, order_id2 INTEGER, stk_price1 FLOAT, stk_price2 FLOAT, fill_price FLOAT,
    slip FLOAT, error_msg TEXT, status_msg TEXT);
CREATE TABLE account (rowid INTEGER PRIMARY KEY, timestamp DATETIME, AvailableFunds FLOAT,
    BuyingPower FLOAT, DailyPnL FLOAT, GrossPositionValue FLOAT, MaintMarginReq FLOAT,
    NetLiquidation FLOAT, RealizedPnL FLOAT, UnrealizedPnL FLOAT);
CREATE TABLE users (rowid INTEGER PRIMARY KEY, username VARCHAR(80) UNIQUE, password TEXT);
"""


TICKERS = [
    ("NMFC", "STK", "SMART", "NASDAQ", "USD", "RELATIVE", 0, 603, 12.5, 12.6),
    ("EUR.USD", "CASH", "IDEALPRO", "IDEALPRO", "USD", "MIDPRICE", 1, 0, 0, 0),
]
PAIRS = [("NMFC-ROIC", "NMFC", "ROIC", 0.75, 1, None), ("BAD-PAIR", "BAD", "PAIR", 0, 0, "x")]
SIGNALS = [
    (
        5,
        "2022-05-27 00:24:17",
        "NMFC-0.75*ROIC",
        "buy",
        603,
        0.98,
        "part.filled",
        "pair",
        "NMFC",
        "ROIC",
        0.75,
        7,
        8,
        12.6,
        15.55,
        0.9375,
        0.0425,
        "remained(ROIC): 352.0",
    ),
    (
        34,
        "2022-06-01 13:00:00.123456",
        "AAPL",
        "sell",
        100,
        400.2,
        "waiting",
        "single",
        "AAPL",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
    (
        35,
        "2022-06-01 13:05:00",
        "AAPL",
        "hold",
        1,
        None,
        "waiting",
        "single",
        "AAPL",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
]
USERS = [("admin", "123"), ("user1", "pass-1")]


def fill_v3(db, placeholder):
    """Create the v3 tables and rows through a DB-API connection (SQLite or PostgreSQL)."""
    schema = V3_SCHEMA
    if placeholder == "%s":
        schema = schema.replace("INTEGER PRIMARY KEY", "SERIAL PRIMARY KEY")
        schema = schema.replace("DATETIME", "TIMESTAMP")
    cursor = db.cursor()
    for statement in filter(str.strip, schema.split(";")):
        cursor.execute(statement)

    def insert(sql, rows):
        cursor.executemany(sql.replace("?", placeholder), rows)

    insert(
        "INSERT INTO tickers (symbol, sectype, xch, prixch, currency, order_type, active, "
        "active_pos, active_pnl, active_cost) VALUES (?,?,?,?,?,?,?,?,?,?)",
        TICKERS,
    )
    insert(
        "INSERT INTO pairs (name, ticker1, ticker2, hedge, status, notes) VALUES (?,?,?,?,?,?)",
        PAIRS,
    )
    insert(
        "INSERT INTO signals (rowid, timestamp, ticker, order_action, order_contracts, "
        "order_price, order_status, ticker_type, stk_ticker1, stk_ticker2, hedge_param, "
        "order_id1, order_id2, stk_price1, stk_price2, fill_price, slip, status_msg) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        SIGNALS,
    )
    cursor.execute(
        "INSERT INTO account (rowid, timestamp, AvailableFunds, NetLiquidation, "
        "DailyPnL) VALUES (10, '2022-06-16 23:55:36', 31000, 62588, NULL)"
    )
    insert("INSERT INTO users (username, password) VALUES (?, ?)", USERS)
    db.commit()


@pytest.fixture
def v3_file(tmp_path):
    path = tmp_path / "data.db"
    db = sqlite3.connect(path)
    fill_v3(db, "?")
    db.close()
    return path


@pytest.fixture
def v3_postgres_url():
    """A scratch PostgreSQL database shaped like v3's (PostgreSQL runs beside every suite run)."""
    server = os.environ.get("V3_IMPORT_TEST_PG", "postgres://root@127.0.0.1:5432")
    name = f"v3_source_{os.getpid()}"
    try:
        admin = psycopg2.connect(f"{server}/postgres")
    except psycopg2.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"no PostgreSQL server for the v3 import test: {error}")
        pytest.skip(f"no PostgreSQL server at {server}: {error}")
    admin.autocommit = True
    admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
    admin.cursor().execute(f"CREATE DATABASE {name}")
    try:
        source = psycopg2.connect(f"{server}/{name}")
        fill_v3(source, "%s")
        source.close()
        yield f"{server}/{name}"
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def run_import(source):
    out = StringIO()
    call_command("import_v3", str(source), stdout=out)
    return out.getvalue()


def test_import_keeps_rowids_timestamps_and_hashes_passwords(v3_file):
    output = run_import(v3_file)
    assert "tickers: 2 created" in output
    assert "pairs: 1 created, 1 skipped" in output
    assert "signals: 2 created, 1 skipped" in output
    assert "account snapshots: 1 created" in output
    assert "users: 2 created" in output

    assert Ticker.objects.get(symbol="EUR.USD").sectype == "CASH"
    assert Ticker.objects.get(symbol="NMFC").active_pos == 603
    assert Pair.objects.get().hedge == 0.75

    signal = Signal.objects.get(rowid=5)
    assert signal.timestamp == datetime(2022, 5, 27, 0, 24, 17, tzinfo=UTC)
    assert (signal.ticker1, signal.ticker2, signal.price1, signal.price2) == (
        "NMFC",
        "ROIC",
        12.6,
        15.55,
    )
    assert Signal.objects.get(rowid=34).timestamp == datetime(2022, 6, 1, 13, 0, tzinfo=UTC)
    body = V3Client().get("/v3/signal/5").json()
    assert body["timestamp"] == "2022-05-27 00:24:17" and body["fill_price"] == 0.9375

    snapshot = AccountSnapshot.objects.get()
    assert (snapshot.rowid, snapshot.net_liquidation, snapshot.daily_pnl) == (10, 62588, -1)

    admin = get_user_model().objects.get(username="admin")
    assert admin.password != "123" and admin.check_password("123") and admin.is_staff
    user1 = get_user_model().objects.get(username="user1")
    assert user1.check_password("pass-1") and not user1.is_staff

    # New rows are numbered after the imported ones.
    V3Client().post(
        "/v3/webhook",
        {"passphrase": "webhook", "ticker": "X", "order_action": "buy", "order_contracts": 1},
        format="json",
    )
    # (SQLite's AUTOINCREMENT also skips ids that earlier tests used and deleted.)
    newest = Signal.objects.order_by("-rowid").first()
    assert newest.ticker == "X" and newest.rowid > 34


def test_import_twice_duplicates_nothing(v3_file):
    run_import(v3_file)
    get_user_model().objects.filter(username="user1").update(password="changed-here")
    output = run_import(v3_file)
    assert "signals: 1 skipped, 2 updated" in output
    assert "users: 2 kept" in output
    assert Signal.objects.count() == 2
    assert Ticker.objects.count() == 2 and Pair.objects.count() == 1
    assert AccountSnapshot.objects.count() == 1
    assert get_user_model().objects.get(username="user1").password == "changed-here"


def test_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database")
    with pytest.raises(CommandError, match="not an SQLite database"):
        run_import(path)


def test_refuses_an_sqlite_file_without_the_v3_tables(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE tickers (symbol TEXT)")
    db.close()
    with pytest.raises(CommandError, match="not a pairs-api v3 database: no table"):
        run_import(path)
    assert not Ticker.objects.exists()


def test_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        run_import(tmp_path / "nope.db")


def test_import_from_a_postgresql_v3_database(v3_postgres_url):
    output = run_import(v3_postgres_url)
    assert "signals: 2 created, 1 skipped" in output
    assert "users: 2 created" in output
    signal = Signal.objects.get(rowid=5)
    assert signal.timestamp == datetime(2022, 5, 27, 0, 24, 17, tzinfo=UTC)
    assert (signal.ticker1, signal.price2) == ("NMFC", 15.55)
    assert AccountSnapshot.objects.get().net_liquidation == 62588
    assert get_user_model().objects.get(username="user1").check_password("pass-1")
