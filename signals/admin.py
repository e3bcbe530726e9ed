from django.contrib import admin

from audit.admin import ChangeHistoryMixin
from audit.models import AuditChange
from pairsapi.paging import EstimatedCountPaginator

from . import services
from .expressions import PAIR, SINGLE
from .models import HELD, RejectedRequest, Signal
from .selectors import LOG_STATUSES, instrument_filter, instrument_named

DERIVED_FIELDS = (
    "rowid",
    "timestamp",
    "ticker_type",
    "ticker1",
    "ticker2",
    "hedge_param",
    "price1",
    "price2",
    "filled_qty1",
    "filled_qty2",
    "fill_price",
    "slip",
    "missed_alert",
    "created_by",
    "alert_message",
)


class StatusFilter(admin.SimpleListFilter):
    """The statuses as the log names them (``waiting`` includes ``rerouted``). Django's own
    filter would list the column's distinct values, reading every row."""

    title = "status"
    parameter_name = "order_status"

    def lookups(self, request, model_admin):
        return [(name, name) for name in LOG_STATUSES]

    def queryset(self, request, queryset):
        if self.value() in LOG_STATUSES:
            return queryset.filter(order_status__in=LOG_STATUSES[self.value()])
        return queryset


class KindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "ticker_type"

    def lookups(self, request, model_admin):
        return [(SINGLE, "single"), (PAIR, "pair"), ("problematic", "problematic")]

    def queryset(self, request, queryset):
        if self.value() in (SINGLE, PAIR):
            return queryset.filter(ticker_type=self.value())
        if self.value() == "problematic":
            return queryset.filter(ticker_type__isnull=True)
        return queryset


@admin.register(Signal)
class SignalAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    audit_model = "signal"
    list_display = (
        "rowid",
        "timestamp",
        "ticker",
        "order_action",
        "order_contracts",
        "order_price",
        "order_status",
        "fill_price",
        "slip",
    )
    list_filter = (
        StatusFilter,
        KindFilter,
        ("missed_alert", admin.EmptyFieldListFilter),
        ("timestamp", admin.DateFieldListFilter),
    )
    # A search names a leg exactly (the ticker index serves it); a substring search of the
    # expression would read every row of a million-signal log.
    search_fields = ("=ticker1",)  # shows the search box; get_search_results does the search
    search_help_text = "A ticker or pair as TradingView writes it: AAPL, nasdaq:aapl, KO-0.5*PEP."
    readonly_fields = DERIVED_FIELDS
    actions = ("cancel_waiting", "release_held")
    list_per_page = 50
    # Counting millions of rows on every page view is wasted work: an unfiltered list takes the
    # table's estimated size, and no "(n total)" count is made beside a filtered one. (There is
    # no date drill-down either: listing its years and months reads the whole table.)
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_search_results(self, request, queryset, search_term):
        """Read the term as the signal log reads a ticker (any case, TradingView's spellings)
        and match the indexed legs exactly: Django's own "=" search compares upper-cased
        values, which no index serves, and read every row of a million-signal log."""
        term = search_term.strip()
        if not term:
            return queryset, False
        instrument = instrument_named(term)
        if instrument is None:
            return queryset.none(), False
        return queryset.filter(instrument_filter(instrument)), False

    def creation(self, obj):
        return AuditChange(at=obj.timestamp, action="create", actor=obj.created_by, changes={})

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            # Staff decide: their edit is stored as made, without the ticker checks.
            services.update_signal(rowid=obj.rowid, bypass_ticker_status=True, **data)
        else:
            signal, _ = services.ingest_signal(**form.cleaned_data)
            obj.pk = signal.pk

    @admin.action(description="Cancel selected signals that are still waiting or held")
    def cancel_waiting(self, request, queryset):
        count = services.cancel_waiting_signals(signals=queryset)
        self.message_user(request, f"{count} waiting signal(s) canceled.")

    @admin.action(description="Release selected held signals (through the risk gate again)")
    def release_held(self, request, queryset):
        outcomes: dict[str, int] = {}
        for rowid in queryset.filter(order_status=HELD).values_list("rowid", flat=True):
            status = services.release_signal(rowid=rowid).order_status
            outcomes[status] = outcomes.get(status, 0) + 1
        said = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        self.message_user(request, f"Released: {said or 'none was held'}.")


@admin.register(RejectedRequest)
class RejectedRequestAdmin(admin.ModelAdmin):
    """Refused webhook writes, read-only: what was sent, from where, why, and how often."""

    list_display = ("last_seen", "route", "client_address", "reason", "count")
    list_filter = ("route",)
    search_fields = ("client_address", "reason", "body")
    readonly_fields = (
        "first_seen",
        "last_seen",
        "client_address",
        "route",
        "reason",
        "body",
        "count",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
