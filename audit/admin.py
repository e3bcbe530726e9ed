from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .models import AuditChange
from .selectors import history_of

# A change page shows this many of the row's newest changes; the trail's own list has them all.
HISTORY_ON_CHANGE_PAGE = 50


def describe_changes(changes: dict) -> str:
    """``field: before → after`` per changed field, as text."""
    return "; ".join(f"{name}: {values[0]} → {values[1]}" for name, values in changes.items())


@admin.register(AuditChange)
class AuditChangeAdmin(admin.ModelAdmin):
    """The trail, read only: nobody edits history."""

    list_display = ("at", "model", "object_key", "action", "actor", "summary")
    list_filter = ("model", "action")
    search_fields = ("=object_key", "actor")
    list_per_page = 100
    show_full_result_count = False

    @admin.display(description="changes")
    def summary(self, change):
        return describe_changes(change.changes)[:300]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangeHistoryMixin:
    """Shows the row's audit trail at the foot of its change page."""

    audit_model = ""

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "change_history") if obj else fields

    def creation(self, obj) -> AuditChange | None:
        """The row's creation, where the row records it itself rather than the trail."""
        return None

    @admin.display(description="change history")
    def change_history(self, obj):
        changes = list(history_of(self.audit_model, obj.pk)[:HISTORY_ON_CHANGE_PAGE])
        created = self.creation(obj)
        if created is not None and len(changes) < HISTORY_ON_CHANGE_PAGE:
            changes.append(created)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (f"{c.at:%Y-%m-%d %H:%M:%S} UTC", c.action, c.actor, describe_changes(c.changes))
                for c in changes
            ),
        )
        link = f"/admin/audit/auditchange/?model={self.audit_model}&q={obj.pk}"
        return format_html(
            '<table class="change-history"><thead><tr><th>when</th><th>what</th><th>who</th>'
            "<th>fields: before → after</th></tr></thead><tbody>{}</tbody></table>"
            '<p><a href="{}">the whole trail of this {}</a></p>',
            rows,
            link,
            self.audit_model,
        )
