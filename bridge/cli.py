"""``python -m bridge``: every option also from an environment variable (``--help`` names it)."""

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from .brokers.paper import PaperBroker
from .client import ServiceClient
from .engine import Bridge


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _number_option(
    options: argparse.ArgumentParser, flag: str, variable: str, default: str, what: str
) -> None:
    options.add_argument(
        flag,
        type=float,
        default=float(_env(variable, default)),
        help=f"{what} ({variable}; default %(default)s)",
    )


def parser() -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(
        prog="python -m bridge",
        description="Place the service's waiting signals with a broker and report fills, "
        "positions and the account back.",
    )
    options.add_argument(
        "--api",
        default=_env("BRIDGE_API", "http://127.0.0.1:8000/v3"),
        help="the service's v3 address (BRIDGE_API; default %(default)s)",
    )
    options.add_argument(
        "--passphrase",
        default=_env("BRIDGE_PASSPHRASE", _env("WEBHOOK_PASSPHRASE")) or None,
        help="the webhook passphrase (BRIDGE_PASSPHRASE, else WEBHOOK_PASSPHRASE)",
    )
    options.add_argument(
        "--broker",
        choices=["paper"],
        default=_env("BRIDGE_BROKER", "paper"),
        help="where orders go (BRIDGE_BROKER; default %(default)s)",
    )
    options.add_argument(
        "--paper-book",
        type=Path,
        default=Path(_env("PAPER_BOOK", "paper-book.json")),
        help="the paper broker's orders, kept across restarts (PAPER_BOOK; default %(default)s)",
    )
    _number_option(
        options,
        "--slippage",
        "PAPER_SLIPPAGE",
        "0.0005",
        "paper fills' slippage as a fraction of the price",
    )
    options.add_argument(
        "--partial-fills",
        action="store_true",
        default=_env("PAPER_PARTIAL_FILLS", "0") == "1",
        help="fill each paper order in two parts (PAPER_PARTIAL_FILLS=1)",
    )
    _number_option(
        options,
        "--leg2-price",
        "PAPER_LEG2_PRICE",
        "100",
        "a pair's second leg's price when none is known yet",
    )
    _number_option(options, "--cash", "PAPER_CASH", "100000", "the paper account's starting cash")
    return options


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if not arguments.passphrase:
        print("python -m bridge: give --passphrase or BRIDGE_PASSPHRASE", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s bridge %(message)s")
    broker = PaperBroker(
        arguments.paper_book,
        slippage=arguments.slippage,
        partial_fills=arguments.partial_fills,
        cash=arguments.cash,
    )
    bridge = Bridge(
        ServiceClient(arguments.api, arguments.passphrase),
        broker,
        leg2_default=arguments.leg2_price,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    logging.info("following %s with the %s broker", arguments.api, arguments.broker)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it
        bridge.follow(stop)
    return 0
