"""The console's signal pages: the dashboard, the log and its CSV export, one signal's page, the
slippage page, manual orders, and the pages' own live stream."""

import csv
import json
import uuid
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from audit.selectors import history_of
from instruments.selectors import holding_of, newest_pairs, newest_price, newest_tickers
from pairsapi.actors import PASSPHRASE, acting_as, user_actor
from pairsapi.charts import line_chart, thinned
from pairsapi.display import age_text, ago_text, day_bounds, display_zone, local_today
from pairsapi.domain import DomainError, DuplicateAlert, NotFound
from pairsapi.live import render_live
from safetynet.selectors import alarms_of
from safetynet.watch import DESCRIPTIONS

from . import selectors, services, stream
from .expressions import PAIR, SINGLE, parse_expression
from .fills import leg_targets
from .manual import KINDS, ManualOrder, NoOrder, PlannedSignal, manual_order
from .models import Signal
from .serializers import signal_json

ANONYMOUS_DASHBOARD_ROWS = 5
DASHBOARD_ROWS = 20
# Colour groups for the order statuses seen in practice; any other string is "other".
STATUS_CLASSES = {
    "filled": "filled",
    "part.filled": "partial",
    "filled(...)": "partial",
    "waiting": "open",
    "rerouted": "open",
    "created": "open",
    "canceled": "canceled",
    "error": "error",
}


def instrument_of(signal) -> str:
    """The name the log filters a signal's ticker or pair by ("" for a problematic one)."""
    if signal.ticker_type == PAIR and signal.ticker1 and signal.ticker2:
        return f"{signal.ticker1}-{signal.ticker2}"
    if signal.ticker_type == SINGLE and signal.ticker1:
        return signal.ticker1
    return ""


def _rows(signals):
    """Signals with what the page shows beside them: local time, age, today or not."""
    zone, now, today = display_zone(), timezone.now(), local_today()
    rows = []
    for signal in signals:
        local = signal.timestamp.astimezone(zone)
        rows.append(
            {
                "signal": signal,
                "local_time": local.strftime("%Y-%m-%d %H:%M:%S"),
                "age": age_text((now - signal.timestamp).total_seconds()),
                "ago": ago_text((now - signal.timestamp).total_seconds()),
                "is_today": local.date() == today,
                "status_class": "status-" + STATUS_CLASSES.get(signal.order_status, "other"),
                "instrument": instrument_of(signal),
            }
        )
    return rows


def dashboard(request):
    logged_in = request.user.is_authenticated
    number = DASHBOARD_ROWS if logged_in else ANONYMOUS_DASHBOARD_ROWS
    return render_live(
        request,
        "signals/dashboard.html",
        {"signals": "signals/_table.html"},
        {
            "rows": _rows(selectors.newest_signals(number)),
            "logged_in": logged_in,
            "zone": display_zone().key,
        },
    )


# The slippage page lists at most LIST_ROWS signals; its chart shows each signal's slip, or on a
# range of more than LIST_CHART_POINTS signals their hourly averages, at most that many points.
LIST_ROWS = 50
LIST_CHART_POINTS = 400

# Day bounds are computed in the display zone; past these, the arithmetic leaves the calendar.
FIRST_LISTED_DAY = date(1970, 1, 1)
LAST_LISTED_DAY = date(2999, 12, 31)


def _listed_day():
    return forms.DateField(
        required=False,
        validators=[MinValueValidator(FIRST_LISTED_DAY), MaxValueValidator(LAST_LISTED_DAY)],
    )


class SignalListForm(forms.Form):
    ticker = forms.CharField(max_length=81, required=False)
    start = _listed_day()
    end = _listed_day()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = local_today()
        data["start"] = data.get("start") or today
        data["end"] = data.get("end") or max(data["start"], today)
        if data["end"] < data["start"]:
            raise forms.ValidationError("The end date is before the start date.")
        return data


@login_required
def signal_list(request):
    form = SignalListForm(request.GET or None)
    context = {"form": form, "zone": display_zone().key, "choices": _ticker_choices()}
    today = local_today()
    start = end = today
    ticker = ""
    if form.is_bound and form.is_valid():
        ticker, start, end = (form.cleaned_data[k] for k in ("ticker", "start", "end"))
    context.update(ticker=ticker, start=start.isoformat(), end=end.isoformat())
    if ticker:
        first, last = day_bounds(start, end)
        # A long range is summed up whole (averages, the chart), but only its newest rows are
        # listed: the signal log pages through the rest, and exports it.
        listed = selectors.signals_for_ticker_between(ticker, first, last, most=LIST_ROWS + 1)
        summary = selectors.slippage_summary(ticker, first, last)
        hourly = summary.slipped > LIST_CHART_POINTS
        points = (
            summary.hourly if hourly else selectors.slips_for_ticker_between(ticker, first, last)
        )
        slipped = [(moment.astimezone(display_zone()), slip) for moment, slip in points]
        context.update(
            rows=_rows(listed[:LIST_ROWS]),
            more=len(listed) > LIST_ROWS,
            slipped=summary.slipped,
            hourly=hourly,
            log_query=urlencode({"ticker": ticker, "start": start, "end": end}),
            averages=summary.averages,
            chart=line_chart(
                thinned(slipped, LIST_CHART_POINTS),
                f"slippage of {ticker}",
                "%m-%d %H:%M",
                zero_line=True,
            ),
        )
    return render(request, "signals/list.html", context)


def _ticker_choices():
    return [p.name for p in newest_pairs(0)] + [t.symbol for t in newest_tickers(0)]


# --- the whole log

LOG_PAGE_SIZE = 50
STATUS_CHOICES = [("", "any status")] + [(name, name) for name in selectors.LOG_STATUSES]
ACTION_CHOICES = [("", "buy and sell"), ("buy", "buy"), ("sell", "sell")]
SOURCE_CHOICES = [
    ("", "any source"),
    ("alert", "alert (passphrase)"),
    ("manual", "manual (staff)"),
    ("api", "API token (bridge, scripts)"),
]


class SignalLogForm(forms.Form):
    ticker = forms.CharField(max_length=100, required=False, strip=True)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    action = forms.ChoiceField(choices=ACTION_CHOICES, required=False)
    start = _listed_day()
    end = _listed_day()
    source = forms.ChoiceField(choices=SOURCE_CHOICES, required=False)
    before = forms.IntegerField(min_value=1, required=False)
    after = forms.IntegerField(min_value=0, required=False)

    FILTERS = ("ticker", "status", "action", "start", "end", "source")

    def clean_ticker(self):
        text = self.cleaned_data["ticker"]
        if not text:
            return None
        instrument = selectors.instrument_named(text)
        if instrument is None:
            raise forms.ValidationError(
                f"“{text}” is not a ticker or a pair: write it as in TradingView, "
                "e.g. AAPL, NASDAQ:AAPL or NMFC-0.75*ROIC."
            )
        return instrument

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError("The end date is before the start date.")
        return data

    def log_filter(self) -> selectors.LogFilter:
        data = self.cleaned_data
        first = last = None
        if data.get("start"):
            first = day_bounds(data["start"], data["start"])[0]
        if data.get("end"):
            last = day_bounds(data["end"], data["end"])[1]
        return selectors.LogFilter(
            instrument=data.get("ticker"),
            status=data.get("status") or "",
            action=data.get("action") or "",
            start=first,
            end=last,
            source=data.get("source") or "",
        )

    def filter_query(self, **extra) -> str:
        """The filters as entered (for links and the export), with ``extra`` added."""
        kept = {k: self.data.get(k, "") for k in self.FILTERS if self.data.get(k)}
        return urlencode({**kept, **{k: v for k, v in extra.items() if v is not None}})


@login_required
def signal_log(request):
    form = SignalLogForm(request.GET)
    context = {"form": form, "zone": display_zone().key, "choices": _ticker_choices()}
    if not form.is_valid():
        return render(request, "signals/log.html", context, status=400)
    try:
        page = selectors.signal_log_page(
            form.log_filter(),
            before=form.cleaned_data.get("before"),
            after=form.cleaned_data.get("after"),
            size=LOG_PAGE_SIZE,
        )
    except NotFound as gone:
        form.add_error(None, str(gone))
        return render(request, "signals/log.html", context, status=404)
    context.update(
        rows=_rows(page.signals),
        live=page.newer is None,  # new rows join the newest page only: older pages keep still
        filtered=any(form.cleaned_data.get(k) for k in SignalLogForm.FILTERS),
        newer_query=form.filter_query(after=page.newer) if page.newer else None,
        older_query=form.filter_query(before=page.older) if page.older else None,
        newest_query=form.filter_query(),
        export_query=form.filter_query(),
        first_page=page.newer is None,
        page_size=LOG_PAGE_SIZE,
    )
    return render_live(request, "signals/log.html", {"signals": "signals/_table.html"}, context)


class _Echo:
    """csv.writer writes into this; each row goes straight out to the response."""

    def write(self, value):
        return value


# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...)).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: a text that would start a formula gets a leading
    apostrophe; numbers (a negative slip) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@login_required
def signal_log_csv(request):
    form = SignalLogForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"message": form.errors.get_json_data()}, status=400)
    zone = display_zone()
    writer = csv.writer(_Echo())

    def lines():
        # The API's keys, in its order, then the local time and who stored the signal.
        keys = list(signal_json(Signal(timestamp=timezone.now())))
        yield writer.writerow([*keys, f"local_time ({zone.key})", "created_by"])
        for signal in selectors.signal_log_all(form.log_filter()):
            local = signal.timestamp.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            cells = [*signal_json(signal).values(), local, signal.created_by]
            yield writer.writerow([spreadsheet_safe(cell) for cell in cells])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"signals-{local_today().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- one signal


def _legs(signal):
    """Each leg as the page shows it: ticker, side, target, order id, filled, price."""
    target1, target2 = leg_targets(signal.order_contracts, signal.hedge_param)
    opposite = "sell" if signal.order_action == "buy" else "buy"
    legs = [
        {
            "number": 1,
            "symbol": signal.ticker1,
            "action": signal.order_action,
            "target": target1,
            "order_id": signal.order_id1,
            "filled": signal.filled_qty1,
            "price": signal.price1,
        }
    ]
    if signal.ticker_type == PAIR:
        legs.append(
            {
                "number": 2,
                "symbol": signal.ticker2,
                "action": opposite,
                "target": target2,
                "order_id": signal.order_id2,
                "filled": signal.filled_qty2,
                "price": signal.price2,
            }
        )
    for leg in legs:
        leg["remaining"] = max(leg["target"] - (leg["filled"] or 0), 0)
    return legs


@login_required
def signal_detail(request, rowid):
    signal = selectors.signal_by_rowid(rowid)
    if signal is None:
        raise Http404("No such signal.")
    zone = display_zone()
    history = [
        {"change": change, "local_time": change.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")}
        for change in history_of("signal", signal.rowid)[:200]
    ]
    alarms = [
        {
            "what": DESCRIPTIONS.get(alarm.kind, alarm.kind),
            "raised": alarm.raised_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            "cleared": alarm.cleared_at
            and alarm.cleared_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
        }
        for alarm in alarms_of(signal.rowid)
    ]
    return render_live(
        request,
        "signals/detail.html",
        {"signal": "signals/_detail.html"},
        {
            "row": _rows([signal])[0],
            "signal": signal,
            "legs": _legs(signal),
            "as_json": json.dumps(signal_json(signal), indent=2),
            "made_by_alert": signal.created_by == PASSPHRASE,
            "history": history,
            "alarms": alarms,
            "zone": zone.key,
            "takeable": ("waiting", "rerouted", "held"),
        },
    )


# --- the risk gate from the console


def _back(request, fallback: str) -> str:
    """Where the form came from, when it is this site's, else ``fallback``."""
    referer = request.META.get("HTTP_REFERER", "")
    return referer if url_has_allowed_host_and_scheme(referer, {request.get_host()}) else fallback


def _act_on_signal(request, rowid, act):
    """Staff's release or cancel of one signal, said on its page."""
    with acting_as(user_actor(request.user, staff_site=True)):
        try:
            signal = act(rowid=rowid)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.info(request, f"Signal #{rowid} is {signal.order_status}.")
    return redirect("signals:detail", rowid=rowid)


@staff_member_required
@require_POST
def release(request, rowid):
    return _act_on_signal(request, rowid, services.release_signal)


@staff_member_required
@require_POST
def cancel(request, rowid):
    return _act_on_signal(request, rowid, services.cancel_signal)


@staff_member_required
@require_POST
def halt(request):
    reason = (request.POST.get("reason") or "").strip()[:500]
    with acting_as(user_actor(request.user, staff_site=True)):
        held = services.halt_trading(reason=reason or f"halted by {request.user.get_username()}")
    messages.info(request, f"Trading is halted; {held} waiting signal(s) held.")
    return redirect(_back(request, reverse("health:setup")))


@staff_member_required
@require_POST
def resume(request):
    with acting_as(user_actor(request.user, staff_site=True)):
        services.resume_trading()
    messages.info(request, "Trading goes on; held signals stay held until released.")
    return redirect(_back(request, reverse("health:setup")))


# --- the pages' live updates


def live_signals(request):
    """The pages' own signal stream, on the session's login (EventSource sends no token): each
    event says only which signal changed and its status; the page reads its parts again."""
    if not request.user.is_authenticated:
        return JsonResponse({"message": "log in to follow the signals."}, status=401)
    raw = request.META.get("HTTP_LAST_EVENT_ID", "")
    # ASCII digits only: "²" is a digit to str.isdigit, not to int().
    cursor = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    holder = f"user:{request.user.pk}"  # every tab of one user counts against one budget
    try:
        stream.held.take(holder)
    except stream.TooManyHeld:
        answer = JsonResponse({"message": "too many open streams; try again shortly."}, status=503)
        answer["Retry-After"] = "5"
        return answer
    return stream.event_stream(
        stream.signal_events(
            cursor=cursor,
            statuses=None,
            as_json=lambda signal: {"rowid": signal.rowid, "order_status": signal.order_status},
            still_allowed=lambda: _session_still_good(request),
        ),
        holder,
    )


def _session_still_good(request) -> bool:
    """The page's login still holds: its session exists and the password it was made with is
    still the user's (Django's own check, made again)."""
    if not request.session.exists(request.session.session_key):
        return False
    return get_user(request).is_authenticated


# --- manual orders


class ManualOrderForm(forms.Form):
    instrument = forms.CharField(max_length=81)
    kind = forms.ChoiceField(choices=[(k, k) for k in KINDS])
    contracts = forms.IntegerField(min_value=1, max_value=10**9, required=False)
    # Made for each confirmation page and used once: a double click or a POST sent again
    # answers with the first order instead of making a second.
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False)


def _planned_legs(order: PlannedSignal) -> list[dict]:
    """Each leg a planned signal trades, with the newest price known and the notional."""
    expression = parse_expression(order.expression)
    opposite = "sell" if order.action == "buy" else "buy"
    legs = [(expression.symbol1, order.action, order.contracts)]
    if expression.kind == PAIR and expression.symbol2 and expression.hedge:
        legs.append(
            (expression.symbol2, opposite, leg_targets(order.contracts, expression.hedge)[1])
        )
    shown = []
    for symbol, action, quantity in legs:
        tick = newest_price(symbol) if symbol else None
        price = tick.price if tick is not None else None
        notional = None if price is None else quantity * price
        shown.append(
            {
                "symbol": symbol,
                "action": action,
                "quantity": quantity,
                "price": price,
                "notional": notional,
            }
        )
    return shown


def _order_context(request, form):
    data = form.data
    # A NUL is refused by the form and by PostgreSQL: it is not looked up.
    instrument = (data.get("instrument") or "").replace("\x00", "")[:81]
    kind = data.get("kind") if data.get("kind") in KINDS else ""
    held = holding_of(instrument)
    position = held.position if held is not None else 0
    contracts = form.cleaned_data.get("contracts") if form.is_bound and form.is_valid() else None
    try:
        preview = manual_order(
            kind, position, contracts or (1 if kind in ("buy", "sell") else None)
        )
    except NoOrder:
        preview = None
    if preview is not None and kind in ("buy", "sell") and contracts is None:
        preview = ManualOrder(preview.action, 0)  # the size is asked for below
    orders = []
    if held is not None and kind and (contracts or kind in ("close", "revert")):
        try:
            planned = services.plan_manual_order(
                instrument=instrument, kind=kind, contracts=contracts
            )
        except DomainError:
            planned = []
        for order in planned:
            legs = _planned_legs(order)
            orders.append(
                {
                    "order": order,
                    "legs": legs,
                    "notional": sum(leg["notional"] or 0 for leg in legs),
                    "verdict": services.risk_preview(order),
                }
            )
    return {
        "form": form,
        "instrument": instrument,
        "kind": kind,
        "contracts": data.get("contracts"),
        "position": position,
        "is_pair": held is not None and held.pair is not None,
        "preview": preview,
        "orders": orders,
        "token": data.get("token") or uuid.uuid4().hex,
        "back": _back(request, reverse("watch:watchlist")),
    }


@staff_member_required
def order(request):
    """GET: the order to confirm; POST: place it (one confirmation, CSRF-protected, once)."""
    if request.method != "POST":
        form = ManualOrderForm(request.GET)
        form.is_valid()
        return render(request, "signals/order.html", _order_context(request, form))
    form = ManualOrderForm(request.POST)
    if form.is_valid():
        try:
            with acting_as(user_actor(request.user, staff_site=True)):
                signals = services.place_manual_order(
                    instrument=form.cleaned_data["instrument"],
                    kind=form.cleaned_data["kind"],
                    contracts=form.cleaned_data["contracts"],
                    token=form.cleaned_data["token"] or None,
                )
        except DuplicateAlert as first:
            if first.rowid is None:  # the first submission is still being stored
                return redirect("signals:log")
            return redirect("signals:detail", rowid=first.rowid)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return redirect("signals:detail", rowid=signals[0].rowid)
    return render(request, "signals/order.html", _order_context(request, form), status=400)


@staff_member_required
def flatten(request):
    """GET: every closing order flatten-all would make; POST: make them, past a halt."""
    if request.method == "POST":
        token = request.POST.get("token", "")
        token = token if len(token) == 32 and token.isalnum() else None
        try:
            with acting_as(user_actor(request.user, staff_site=True)):
                made = services.flatten_all(token=token)
        except DuplicateAlert:
            return redirect("signals:log")
        messages.info(request, f"{len(made)} closing order(s) made.")
        return redirect("signals:log")
    orders = [
        {"order": order, "legs": _planned_legs(order)} for order in services.plan_flatten_all()
    ]
    return render(
        request,
        "signals/flatten.html",
        {
            "orders": orders,
            "token": uuid.uuid4().hex,
            "back": _back(request, reverse("health:setup")),
        },
    )
