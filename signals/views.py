import json

from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from pairsapi.api.errors import ItemNotFound
from pairsapi.api.listing import ANONYMOUS_CAP, capped_number_of_items, path_integer
from pairsapi.api.openapi import (
    MESSAGE,
    NUMBER_OF_ITEMS,
    SIGNAL,
    listing,
    v3_doc,
)
from pairsapi.api.permissions import (
    FreshAdminTokenRequired,
    OptionalAccessToken,
    PassphraseRequired,
)
from pairsapi.api.throttles import client_address
from pairsapi.api.views import V3ViewSet
from pairsapi.domain import DuplicateAlert

from . import rejections, selectors, services
from .serializers import (
    FillReportSerializer,
    NewSignalSerializer,
    SignalUpdateSerializer,
    signal_json,
)

# The bridge polls the waiting list; an anonymous poll still sees up to 20 signals.
ANONYMOUS_WAITING_CAP = 20


def _rowid(raw):
    return path_integer(raw, "rowid", minimum=1)


class WebhookViewSet(V3ViewSet):
    """``/v3/webhook`` and ``/v3/signal/updateorder``: passphrase in the body, no token."""

    openapi_tag = "signals"
    lean_actions = ("create",)  # TradingView's alerts
    alert_actions = ("create",)

    action_permissions = {
        "create": [PassphraseRequired],
        "update": [PassphraseRequired],
        "record_fill": [PassphraseRequired],
    }

    def on_refused(self, request, exc, response):
        """Keep what was refused: an alert lost to a typo in its message is found in the log."""
        answer = response.data if hasattr(response, "data") else json.loads(response.content)
        message = answer["message"]
        parsed = None if isinstance(exc, ParseError) else request.data
        rejections.record_rejection(
            client_address=client_address(request),
            route=f"{request.method} {request.path}",
            reason=message if isinstance(message, str) else json.dumps(message),
            body=rejections.masked_body(parsed, getattr(request, "raw_body", None)),
        )

    @v3_doc("Receive a TradingView alert", NewSignalSerializer, {200: MESSAGE, 201: MESSAGE})
    def create(self, request):
        try:
            _, answer = services.ingest_signal(**self.validated(NewSignalSerializer))
        except DuplicateAlert as replay:
            return self.answer({"message": str(replay)}, status=status.HTTP_200_OK)
        return self.answer({"message": answer}, status=status.HTTP_201_CREATED)

    @v3_doc("Write back a signal (broker bridge)", SignalUpdateSerializer, SIGNAL)
    def update(self, request):
        signal = services.update_signal(**self.validated(SignalUpdateSerializer))
        return Response(signal_json(signal))

    @v3_doc("Report a leg's fill, or a cancel", FillReportSerializer, SIGNAL)
    def record_fill(self, request):
        signal = services.record_fill(**self.validated(FillReportSerializer))
        return Response(signal_json(signal))


class SignalViewSet(V3ViewSet):
    openapi_tag = "signals"

    action_permissions = {
        "newest": [OptionalAccessToken],
        "list_for_ticker": [OptionalAccessToken],
        "list_with_status": [OptionalAccessToken],
        "destroy": [FreshAdminTokenRequired],
    }

    @v3_doc(
        "Signals, newest first",
        None,
        listing("signals", SIGNAL, notoken_limit={"type": "integer"}),
        [NUMBER_OF_ITEMS],
    )
    def newest(self, request, number_of_items):
        number = capped_number_of_items(number_of_items, request)
        signals = selectors.newest_signals(number)
        return Response(
            {"signals": [signal_json(s) for s in signals], "notoken_limit": ANONYMOUS_CAP}
        )

    @v3_doc(
        "Signals of one ticker (AAPL) or pair (NMFC-ROIC)",
        None,
        listing("signals", SIGNAL),
        [NUMBER_OF_ITEMS],
    )
    def list_for_ticker(self, request, ticker, number_of_items):
        number = capped_number_of_items(number_of_items, request)
        signals = selectors.signals_for_ticker(ticker, number)
        return Response({"signals": [signal_json(s) for s in signals]})

    @v3_doc(
        "Signals of one status (waiting includes rerouted)",
        None,
        listing("signals", SIGNAL),
        [NUMBER_OF_ITEMS],
    )
    def list_with_status(self, request, order_status, number_of_items):
        cap = ANONYMOUS_WAITING_CAP if order_status == "waiting" else ANONYMOUS_CAP
        if order_status == "waiting":  # the bridge's poll
            self.note_bridge_contact(request, "GET /v3/signals/status/waiting")
        number = capped_number_of_items(number_of_items, request, cap)
        signals = selectors.signals_with_status(order_status, number)
        return Response({"signals": [signal_json(s) for s in signals]})

    @v3_doc("One signal", None, SIGNAL)
    def retrieve(self, request, rowid):
        signal = selectors.signal_by_rowid(_rowid(rowid))
        if signal is None:
            raise ItemNotFound()
        return Response(signal_json(signal))

    @v3_doc("Delete a signal", None, {200: MESSAGE})
    def destroy(self, request, rowid):
        services.delete_signal(rowid=_rowid(rowid))
        return Response({"message": "'signal' deleted successfully."})
