from django.contrib import admin

from audit.admin import ChangeHistoryMixin
from audit.models import AuditChange

from . import services
from .models import RejectedRequest, Signal

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
)


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
        "order_status",
        "ticker_type",
        ("missed_alert", admin.EmptyFieldListFilter),
        ("timestamp", admin.DateFieldListFilter),
    )
    search_fields = ("ticker", "=ticker1", "=ticker2")
    readonly_fields = DERIVED_FIELDS
    date_hierarchy = "timestamp"
    actions = ("cancel_waiting",)
    list_per_page = 50
    # Counting millions of rows on every page view is wasted work.
    show_full_result_count = False

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

    @admin.action(description="Cancel selected signals that are still waiting")
    def cancel_waiting(self, request, queryset):
        count = services.cancel_waiting_signals(signals=queryset)
        self.message_user(request, f"{count} waiting signal(s) canceled.")


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
