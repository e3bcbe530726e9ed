from django.contrib import admin

from .models import AccountSnapshot


@admin.register(AccountSnapshot)
class AccountSnapshotAdmin(admin.ModelAdmin):
    list_display = (
        "rowid",
        "timestamp",
        "net_liquidation",
        "available_funds",
        "buying_power",
        "daily_pnl",
        "realized_pnl",
        "unrealized_pnl",
    )
    date_hierarchy = "timestamp"
    readonly_fields = ("rowid",)
