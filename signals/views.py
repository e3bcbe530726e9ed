import json
import re
from contextlib import contextmanager

from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.response import Response

from instruments import selectors as instrument_selectors
from pairsapi.api.errors import ItemNotFound
from pairsapi.api.listing import ANONYMOUS_CAP, capped_number_of_items, path_integer
from pairsapi.api.openapi import (
    MESSAGE,
    NUMBER_OF_ITEMS,
    SIGNAL,
    listing,
    obj,
    v3_doc,
)
from pairsapi.api.permissions import (
    AccessTokenOrPassphraseHeader,
    AccessTokenRequired,
    FreshAdminTokenRequired,
    OptionalAccessToken,
    PassphraseRequired,
    passphrase_header_matches,
)
from pairsapi.api.throttles import client_address
from pairsapi.api.views import V3ViewSet
from pairsapi.domain import DuplicateAlert

from . import rejections, risk, selectors, services, stream
from .serializers import (
    FillReportSerializer,
    NewSignalSerializer,
    SignalUpdateSerializer,
    signal_json,
)

_LIMITS = {"type": "object", "additionalProperties": {"type": ["integer", "null"]}}
RISK = obj(
    {
        "halted": {"type": "boolean"},
        "halt_reason": {"type": "string"},
        "max_signal_age": {"type": "integer"},
        "daily_loss_limit": {"type": ["number", "null"]},
        "max_drawdown": {"type": ["number", "null"]},
        "defaults": _LIMITS,
        "instruments": {"type": "object", "additionalProperties": _LIMITS},
    }
)

# The bridge polls the waiting list; an anonymous poll still sees up to 20 signals.
ANONYMOUS_WAITING_CAP = 20


def _rowid(raw):
    return path_integer(raw, "rowid", minimum=1)


# The longest a long poll may be held (?wait=): under the usual 60 s of proxies and clients.
LONGEST_WAIT = 60
STATUS_PATTERN = re.compile(r"[\w.()*-]{1,40}")
STREAM_STATUS = OpenApiParameter(
    "status",
    str,
    OpenApiParameter.QUERY,
    description="only signals of this status (waiting includes rerouted)",
)
LAST_EVENT_ID = OpenApiParameter(
    "Last-Event-ID",
    int,
    OpenApiParameter.HEADER,
    description="resume after this event id (EventSource sends it when it reconnects); "
    "also accepted as the last_event_id query parameter",
)


class StreamsBusy(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "this worker holds as many streams and long polls as it may; try again."
    wait = 5


def _holder(request) -> str:
    """Whose place a held request takes: the bridge's (the passphrase) or its user's."""
    if passphrase_header_matches(request):
        return stream.BRIDGE
    return f"user:{request.user.pk}"


def _take_a_held_place(holder):
    try:
        stream.held.take(holder)
    except stream.TooManyHeld:
        raise StreamsBusy() from None


@contextmanager
def _held(holder):
    _take_a_held_place(holder)
    try:
        yield
    finally:
        stream.held.release(holder)


def _seconds_to_wait(raw):
    return None if not raw else path_integer(raw, "wait", maximum=LONGEST_WAIT)


def _credential_check(request):
    """How a stream asks again whether its reader may still read: the passphrase header is
    the service's own setting; a token is verified again (revoked, password changed)."""
    if passphrase_header_matches(request):
        return lambda: True

    def token_still_good() -> bool:
        # The authentication the settings configure, run again on the same request.
        return any(auth.authenticate(request) for auth in request.authenticators)

    return token_still_good


def _last_event_id(request):
    raw = request.META.get("HTTP_LAST_EVENT_ID") or request.query_params.get("last_event_id")
    return None if not raw else path_integer(raw, "Last-Event-ID", maximum=2**63 - 1)


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
        alert = self.validated(NewSignalSerializer)
        message = rejections.masked_body(request.data, getattr(request, "raw_body", None))
        try:
            _, answer = services.ingest_signal(alert_message=message, **alert)
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
        "stream": [AccessTokenOrPassphraseHeader],
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
        known = bool(passphrase_header_matches(request) or request.user.is_authenticated)
        # The bridge's poll, when it says who it is: an anonymous read proves no bridge runs.
        if order_status == "waiting" and known:
            self.note_bridge_contact(request, "GET /v3/signals/status/waiting")
        number = capped_number_of_items(number_of_items, request, cap)
        wait = _seconds_to_wait(request.query_params.get("wait"))
        if not known:
            wait = 0  # a held answer is a place a stranger could take: anonymous reads hold none
        if wait:
            with _held(_holder(request)):
                stream.wait_for_change(
                    wait, selectors.signals_with_status(order_status, number).exists
                )
        signals = selectors.signals_with_status(order_status, number)
        return Response({"signals": [signal_json(s) for s in signals]})

    def on_refused(self, request, exc, response):
        """A wrong passphrase in the stream's X-Passphrase header: a guess, kept with the
        webhook's refusals (the header's value is not)."""
        rejections.record_rejection(
            client_address=client_address(request),
            route=f"{request.method} {request.path}",
            reason="wrong passphrase in X-Passphrase",
            body="",
        )

    def perform_content_negotiation(self, request, force=False):
        # EventSource asks for text/event-stream: the stream is that, and a refusal before it
        # starts is the usual JSON, whatever was asked.
        return super().perform_content_negotiation(request, force=force or self.action == "stream")

    @v3_doc(
        "Stream of signal changes (Server-Sent Events)",
        None,
        {(200, "text/event-stream"): {"type": "string"}},
        [STREAM_STATUS, LAST_EVENT_ID],
    )
    def stream(self, request):
        status_filter = request.query_params.get("status") or None
        if status_filter is not None and not STATUS_PATTERN.fullmatch(status_filter):
            raise ValidationError({"status": "a signal status such as waiting or filled."})
        cursor = _last_event_id(request)
        if passphrase_header_matches(request):
            self.note_bridge_contact(request, "GET /v3/signals/stream")
        holder = _holder(request)
        _take_a_held_place(holder)  # for the stream's whole life: given back when it closes
        events = stream.signal_events(
            cursor=cursor,
            statuses=None if status_filter is None else selectors.statuses_named(status_filter),
            as_json=signal_json,
            on_heartbeat=lambda: getattr(request._request, "bridge_alive", lambda: None)(),
            still_allowed=_credential_check(request),
        )
        return stream.event_stream(events, holder)

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


class RiskViewSet(V3ViewSet):
    """``/v3/risk``, ``/v3/halt``, ``/v3/resume`` and a held signal's release or cancel: the
    guard rails every order passes, for scripts and external tools."""

    openapi_tag = "risk"
    action_permissions = {
        "retrieve": [AccessTokenRequired],
        "update": [FreshAdminTokenRequired],
        "halt": [FreshAdminTokenRequired],
        "resume": [FreshAdminTokenRequired],
        "release": [FreshAdminTokenRequired],
        "cancel": [FreshAdminTokenRequired],
    }

    @v3_doc("The guard rails: halt, signal age, account and instrument limits", None, RISK)
    def retrieve(self, request):
        return Response(selectors.risk_document())

    @v3_doc(
        "Change the guard rails (any subset of keys; limits merged, null removes one)",
        None,
        RISK,
    )
    def update(self, request):
        try:
            changes = risk.parse_changes(self.body(), _is_instrument)
        except risk.InvalidRisk as invalid:
            raise ValidationError({invalid.field: str(invalid)}) from None
        services.update_risk(changes=changes)
        return Response(selectors.risk_document())

    @v3_doc("Halt all trading: new and waiting signals are held", None, RISK)
    def halt(self, request):
        body = self.body()
        reason = body.get("reason", "") if isinstance(body, dict) else ""
        if not isinstance(reason, str) or len(reason) > 500:
            raise ValidationError({"reason": "must be a text of at most 500 characters"})
        services.halt_trading(reason=reason or f"halted by {request.user.username}")
        return Response(selectors.risk_document())

    @v3_doc("Resume trading (held signals stay held until released)", None, RISK)
    def resume(self, request):
        services.resume_trading()
        return Response(selectors.risk_document())

    @v3_doc("Release a held signal: it passes the risk gate again", None, SIGNAL)
    def release(self, request, rowid):
        return Response(signal_json(services.release_signal(rowid=_rowid(rowid))))

    @v3_doc("Cancel a waiting or held signal", None, SIGNAL)
    def cancel(self, request, rowid):
        return Response(signal_json(services.cancel_signal(rowid=_rowid(rowid))))


def _is_instrument(name: str) -> bool:
    return instrument_selectors.ticker_by_symbol(name) is not None or (
        instrument_selectors.pair_by_name(name) is not None
    )
