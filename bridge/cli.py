"""``python -m bridge``: every option also from an environment variable (``--help`` names it)."""

import argparse
import contextlib
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
        "--leg2-price",
        "PAPER_LEG2_PRICE",
        "100",
        "a pair's second leg's price when none is known yet",
        float,
    )
    _option(paper, "--cash", "PAPER_CASH", "100000", "the paper account's starting cash", float)
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
        help="the account to trade and report (IB_ACCOUNT; default: the only one TWS manages)",
    )
    return options


def broker_of(arguments: argparse.Namespace, wait: float = 10.0) -> Broker:
    """The broker the options name; IB is given ``wait`` seconds to connect at first."""
    if arguments.broker == "ib":
        from .brokers.ib import IBBroker  # ib_async is needed only for IB

        return IBBroker(
            host=arguments.ib_host,
            port=arguments.ib_port,
            client_id=arguments.ib_client_id,
            account=arguments.ib_account,
        ).start(wait=wait)
    return PaperBroker(
        arguments.paper_book,
        slippage=arguments.slippage,
        partial_fills=arguments.partial_fills,
        cash=arguments.cash,
    )


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not arguments.passphrase:
        print("python -m bridge: give --passphrase or BRIDGE_PASSPHRASE", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bridge %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it
        broker = broker_of(arguments)
        try:
            bridge = Bridge(
                ServiceClient(arguments.api, arguments.passphrase),
                broker,
                leg2_default=arguments.leg2_price,
            )
            logging.info("following %s with the %s broker", arguments.api, arguments.broker)
            bridge.follow(stop)
        finally:
            broker.close()
    return 0
