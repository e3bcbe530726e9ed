"""The trader's dashboard and signal list pages."""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator, MinValueValidator
from django.shortcuts import render
from django.utils import timezone

from instruments.selectors import newest_pairs, newest_tickers
from pairsapi.charts import line_chart
from pairsapi.display import day_bounds, display_zone, local_today

from . import selectors

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
                "minutes_ago": int((now - signal.timestamp).total_seconds() // 60),
                "is_today": local.date() == today,
                "status_class": "status-" + STATUS_CLASSES.get(signal.order_status, "other"),
            }
        )
    return rows


def dashboard(request):
    logged_in = request.user.is_authenticated
    number = DASHBOARD_ROWS if logged_in else ANONYMOUS_DASHBOARD_ROWS
    return render(
        request,
        "signals/dashboard.html",
        {
            "rows": _rows(selectors.newest_signals(number)),
            "logged_in": logged_in,
            "zone": display_zone().key,
        },
    )


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
        signals = selectors.signals_for_ticker_between(ticker, first, last)
        slipped = [
            (s.timestamp.astimezone(display_zone()), s.slip)
            for s in reversed(signals)
            if s.slip is not None
        ]
        context.update(
            rows=_rows(signals),
            averages=selectors.average_slippage_between(ticker, first, last),
            chart=line_chart(slipped, f"slippage of {ticker}", "%m-%d %H:%M", zero_line=True),
        )
    return render(request, "signals/list.html", context)


def _ticker_choices():
    return [p.name for p in newest_pairs(0)] + [t.symbol for t in newest_tickers(0)]
