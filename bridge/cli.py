"""``python -m bridge``: every option also from an environment variable (``--help`` names it)."""

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from .brokers.base import Broker
from .brokers.paper import PaperBroker
from .client import ServiceClient
from .engine import Bridge


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _option(
    group: argparse._ActionsContainer,
    flag: str,
    variable: str,
    default: str,
    what: str,
    kind: Callable[[str], object] = str,
) -> None:
    """``flag``, also from the environment variable ``variable``; argparse reads a value taken
    from the environment as it reads one typed, refusals in words included."""
    group.add_argument(
        flag,
        type=kind,
        default=_env(variable, default),
        help=f"{what} ({variable}; default %(default)s)",
    )


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        prog="python -m bridge",
        description="Place the service's waiting signals with a broker and report fills, "
        "positions and the account back.",
    )
    _option(options, "--api", "BRIDGE_API", "http://127.0.0.1:8000/v3", "the service's v3 address")
    options.add_argument(
        "--passphrase",
        default=_env("BRIDGE_PASSPHRASE", _env("WEBHOOK_PASSPHRASE")) or None,
        help="the webhook passphrase (BRIDGE_PASSPHRASE, else WEBHOOK_PASSPHRASE)",
    )
    options.add_argument(
        "--broker",
        choices=["paper", "ib"],
        default=_env("BRIDGE_BROKER", "paper"),
        help="where orders go (BRIDGE_BROKER; default %(default)s)",
    )
    paper = options.add_argument_group("the paper broker (--broker paper)")
    _option(
        paper,
        "--paper-book",
        "PAPER_BOOK",
        "paper-book.json",
        "the paper broker's orders, kept across restarts",
        Path,
    )
    _option(
        paper,
        "--slippage",
        "PAPER_SLIPPAGE",
        "0.0005",
        "paper fills' slippage as a fraction of the price",
        float,
    )
    paper.add_argument(
        "--partial-fills",
        action="store_true",
        default=_env("PAPER_PARTIAL_FILLS", "0") == "1",
        help="fill each paper order in two parts (PAPER_PARTIAL_FILLS=1)",
    )
    _option(
        paper,
        "--paper-commission",
        "PAPER_COMMISSION",
        "0.005",
        "commission per share or unit",
        float,
    )
    _option(
        paper,
        "--paper-commission-min",
        "PAPER_COMMISSION_MIN",
        "1.0",
        "the least commission an order pays",
        float,
    )
    paper.add_argument(
        "--paper-extended-hours",
        action="store_true",
        default=_env("PAPER_EXTENDED_HOURS", "0") == "1",
        help="take US stock orders 04:00-20:00 New York time on trading days, not only in "
        "regular hours (PAPER_EXTENDED_HOURS=1)",
    )
    _option(paper, "--cash", "PAPER_CASH", "100000", "the paper account's starting cash", float)
    _option(
        options,
        "--max-signal-age",
        "BRIDGE_MAX_SIGNAL_AGE",
        "120",
        "seconds after which a waiting signal is written back canceled, never placed",
        float,
    )
    ib = options.add_argument_group("Interactive Brokers (--broker ib), through TWS or IB Gateway")
    _option(ib, "--ib-host", "IB_HOST", "127.0.0.1", "where TWS or IB Gateway listens")
    _option(
        ib,
        "--ib-port",
        "IB_PORT",
        "7497",
        "its API port: 7497 TWS paper, 7496 TWS live, 4002/4001 Gateway paper/live",
        int,
    )
    _option(
        ib,
        "--ib-client-id",
        "IB_CLIENT_ID",
        "1",
        "the API client id, unique per connection to TWS; keep it across restarts",
        int,
    )
    ib.add_argument(
        "--ib-account",
        default=_env("IB_ACCOUNT"),
        help="the account to trade and report (IB_ACCOUNT); required when the login manages "
        "several",
    )
    return options


def broker_of(arguments: argparse.Namespace, client: ServiceClient, wait: float = 10.0) -> Broker:
    """The broker the options name; IB is given ``wait`` seconds to connect at first."""
    if arguments.broker == "ib":
        from .brokers.ib import IBBroker  # ib_async is needed only for IB

        return IBBroker(
            host=arguments.ib_host,
            port=arguments.ib_port,
            client_id=arguments.ib_client_id,
            account=arguments.ib_account,
        ).start(wait=wait)
    paper = PaperBroker(
        arguments.paper_book,
        slippage=arguments.slippage,
        commission_per_share=arguments.paper_commission,
        commission_minimum=arguments.paper_commission_min,
        partial_fills=arguments.partial_fills,
        cash=arguments.cash,
        extended_hours=arguments.paper_extended_hours,
        price_of=client.newest_price,
    )
    paper.hours.refusal(0, False)  # the exchange calendar is read now, not at the first order
    return paper


# After SIGTERM or Ctrl-C: how long a write-back in flight may take to finish.
STOP_SECONDS = 1.5


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not arguments.passphrase:
        print("python -m bridge: give --passphrase or BRIDGE_PASSPHRASE", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bridge %(name)s %(message)s")
    stop = threading.Event()
    # Ctrl-C and SIGTERM both just ask it to stop: nothing more is placed from that instant.
    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, lambda *_: stop.set())
    client = ServiceClient(arguments.api, arguments.passphrase)
    broker = broker_of(arguments, client)
    failure: list[BaseException] = []
    try:
        misconfigured = getattr(broker, "misconfigured", None)
        if misconfigured is not None:
            print(f"python -m bridge: {misconfigured}", file=sys.stderr)
            return 2
        bridge = Bridge(client, broker, max_signal_age=arguments.max_signal_age)

        def follow() -> None:
            try:
                bridge.follow(stop)
            except BaseException as error:  # told below, then the bridge stops
                failure.append(error)
                stop.set()

        logging.info("following %s with the %s broker", arguments.api, arguments.broker)
        follower = threading.Thread(target=follow, name="follow", daemon=True)
        follower.start()
        while not stop.wait(0.2):
            pass
        # The follower may sit in a read of the stream: it is left behind (a daemon), and a
        # write-back in flight (it holds the lock) is given a moment to land.
        if bridge.lock.acquire(timeout=STOP_SECONDS):
            bridge.lock.release()
    finally:
        broker.close()
    if failure:
        print(f"python -m bridge: {failure[0]}", file=sys.stderr)
        return 1
    logging.info("stopped")
    return 0
