"""The broker bridge's whole cycle against a real gunicorn server, over HTTP."""

import pytest
import requests
from django.db import connection

from pairsapi.testing import PASSWORD, ServerProcess, database_url_of, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]

PASSPHRASE = {"passphrase": "webhook"}


@pytest.fixture
def server():
    make_user("boss", staff=True)
    with ServerProcess(database_url_of(connection), workers=2) as server:
        yield server


def test_alert_to_positions(server):
    url = server.url
    http = requests.Session()
    token = http.post(
        f"{url}/v3/login", json={"username": "boss", "password": PASSWORD}, timeout=10
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    # The trader registers the pair's legs and enables the pair.
    for symbol in ("NMFC", "ROIC"):
        assert (
            http.post(
                f"{url}/v3/regticker",
                json={"symbol": symbol, "prixch": "NASDAQ"},
                headers=auth,
                timeout=10,
            ).status_code
            == 201
        )
    assert (
        http.post(
            f"{url}/v3/regpair",
            json={"ticker1": "NMFC", "ticker2": "ROIC", "hedge": 0.75, "status": 1},
            headers=auth,
            timeout=10,
        ).status_code
        == 201
    )

    # TradingView fires the alert (as text/plain, the way TradingView posts it).
    alert = (
        '{"passphrase": "webhook", "ticker": "NMFC-0.75*NASDAQ:ROIC", '
        '"order_action": "buy", "order_contracts": 603, "order_price": 0.98, '
        '"mar_pos": "long", "mar_pos_size": 603, "pre_mar_pos": "flat", '
        '"pre_mar_pos_size": 0, "order_comment": "Enter Long"}'
    )
    response = http.post(
        f"{url}/v3/webhook", data=alert, headers={"Content-Type": "text/plain"}, timeout=10
    )
    assert response.status_code == 201
    assert response.json() == {"message": "'signal' created successfully."}

    # The bridge polls the waiting list and reads the signal.
    waiting = http.get(f"{url}/v3/signals/status/waiting/0", timeout=10).json()["signals"]
    assert len(waiting) == 1
    rowid = waiting[0]["rowid"]
    signal = http.get(f"{url}/v3/signal/{rowid}", timeout=10).json()
    assert (signal["ticker1"], signal["ticker2"], signal["hedge_param"]) == ("NMFC", "ROIC", 0.75)

    # It places the orders and writes back their ids and `created`.
    signal.update(PASSPHRASE, order_id1=7, order_id2=8, order_status="created")
    written = http.put(f"{url}/v3/webhook", json=signal, timeout=10)
    assert written.status_code == 200
    assert written.json()["timestamp"] == signal["timestamp"]
    assert http.get(f"{url}/v3/signals/status/waiting/0", timeout=10).json()["signals"] == []

    # Fills arrive: partial, then complete, on both legs.
    def fill(order_id, symbol, price, qty):
        response = http.put(
            f"{url}/v3/signal/updateorder",
            json={
                **PASSPHRASE,
                "order_id": order_id,
                "symbol": symbol,
                "price": price,
                "filled_qty": qty,
            },
            timeout=10,
        )
        assert response.status_code == 200
        return response.json()

    assert fill(7, "NMFC", 12.6, 300)["order_status"] == "filled(...)"
    partial = fill(8, "ROIC", 15.55, 100)
    assert partial["order_status"] == "part.filled"
    assert partial["status_msg"] == "remained(NMFC): 303 | remained(ROIC): 352"
    fill(7, "NMFC", 12.6, 603)
    done = fill(8, "ROIC", 15.55, 452)
    assert (done["order_status"], done["fill_price"], done["slip"]) == ("filled", 0.9375, 0.0425)

    # Positions come back through ticker/updatepnl.
    for symbol, pos, pnl, cost in (("NMFC", 603, 12.5, 12.6), ("ROIC", -452, -3.0, 15.55)):
        response = http.put(
            f"{url}/v3/ticker/updatepnl",
            json={
                **PASSPHRASE,
                "symbol": symbol,
                "active_pos": pos,
                "active_pnl": pnl,
                "active_cost": cost,
            },
            timeout=10,
        )
        assert response.status_code == 200
    roic = http.get(f"{url}/v3/ticker/ROIC", timeout=10).json()
    assert (roic["active_pos"], roic["active_pnl"], roic["active_cost"]) == (-452, -3.0, 15.55)

    history = http.get(f"{url}/v3/signals/ticker/NMFC-ROIC/0", headers=auth, timeout=10).json()
    assert [s["order_status"] for s in history["signals"]] == ["filled"]

    # A hand-pasted URL with a trailing slash, and a script's body with no Content-Type at all.
    bare = requests.Request("POST", f"{url}/v3/webhook/", data=alert.encode()).prepare()
    assert "Content-Type" not in bare.headers
    response = http.send(bare, timeout=10)
    assert response.status_code == 201, response.text
    # The bridge's funds check says no, in a one-element list.
    second = http.get(f"{url}/v3/signals/status/waiting/0", timeout=10).json()["signals"][0]
    second.update(PASSPHRASE, order_status=["canceled"], status_msg="insufficient funds")
    written = http.put(f"{url}/v3/webhook", json=second, timeout=10)
    assert written.status_code == 200 and written.json()["order_status"] == "canceled"
    assert http.get(f"{url}/v3/signals/status/waiting/0", timeout=10).json()["signals"] == []
