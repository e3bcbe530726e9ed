from django.contrib import admin

from .models import Alarm, BridgeContact


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the watchdog and the bridge left: read, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alarm)
class AlarmAdmin(ReadOnlyAdmin):
    list_display = ("kind", "signal_rowid", "since", "raised_at", "cleared_at")
    list_filter = ("kind", ("cleared_at", admin.EmptyFieldListFilter))
    search_fields = ("=signal_rowid",)


@admin.register(BridgeContact)
class BridgeContactAdmin(ReadOnlyAdmin):
    list_display = ("last_seen", "address", "route", "first_seen")
    search_fields = ("address",)
