"""Staff edit tickers and pairs here; every save goes through the same services as the API,
so the activity rules hold whichever way a change arrives."""

from django import forms
from django.contrib import admin, messages

from audit.admin import ChangeHistoryMixin
from pairsapi.domain import RuleViolated

from . import services
from .models import TICKER_FIELDS, Pair, Ticker


def apply_each(model_admin, request, queryset, change, done, refused_because):
    """A bulk action through the services, one row at a time, so the activity rules hold;
    the rows a rule refused are named."""
    refused = []
    for item in queryset:
        try:
            change(item)
        except RuleViolated:
            refused.append(str(item))
    model_admin.message_user(request, f"{queryset.count() - len(refused)} {done}.")
    if refused:
        model_admin.message_user(
            request, f"{refused_because}: {', '.join(refused)}.", messages.WARNING
        )


class TickerForm(forms.ModelForm):
    class Meta:
        model = Ticker
        fields = TICKER_FIELDS

    def clean(self):
        data = super().clean()
        symbol = data.get("symbol") or (self.instance.symbol if self.instance.pk else None)
        if symbol and data.get("active") and not (self.instance.pk and self.instance.active):
            try:
                services.check_single_may_be_active(symbol)
            except RuleViolated as problem:
                raise forms.ValidationError(str(problem).strip()) from None
        return data


@admin.register(Ticker)
class TickerAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    audit_model = "ticker"
    form = TickerForm
    list_display = (
        "symbol",
        "sectype",
        "currency",
        "active",
        "active_pos",
        "active_pnl",
        "active_cost",
    )
    list_filter = ("sectype", "active", "currency")
    search_fields = ("symbol",)
    actions = ("activate", "deactivate")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("symbol", *fields) if obj else fields

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "symbol"}
        if change:
            ticker = services.upsert_ticker(symbol=obj.symbol, **changes)[0]
        else:
            ticker = services.register_ticker(symbol=obj.symbol, **changes)
        obj.pk = ticker.pk

    @admin.action(description="Activate selected tickers as singles")
    def activate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda t: services.set_ticker_active(ticker=t, active=True),
            "ticker(s) activated",
            "Left passive, each is a leg of an active pair",
        )

    @admin.action(description="Deactivate selected tickers")
    def deactivate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda t: services.set_ticker_active(ticker=t, active=False),
            "ticker(s) deactivated",
            "Not changed",
        )


class PairForm(forms.ModelForm):
    class Meta:
        model = Pair
        fields = ("ticker1", "ticker2", "hedge", "status", "notes")

    def clean(self):
        data = super().clean()
        ticker1 = data.get("ticker1", self.instance.ticker1)
        ticker2 = data.get("ticker2", self.instance.ticker2)
        if not self.instance.pk and ticker1 and ticker2 and "-" in ticker1 + ticker2:
            raise forms.ValidationError("problematic ticker! A leg may not hold '-'.")
        if data.get("status") and ticker1 and ticker2:
            try:
                services.check_pair_may_be_active(ticker1, ticker2)
            except RuleViolated as problem:
                raise forms.ValidationError(str(problem).strip()) from None
        return data


@admin.register(Pair)
class PairAdmin(ChangeHistoryMixin, admin.ModelAdmin):
    audit_model = "pair"
    form = PairForm
    list_display = ("name", "ticker1", "ticker2", "hedge", "status", "notes")
    list_editable = ("hedge",)
    list_filter = ("status",)
    search_fields = ("name", "ticker1", "ticker2")
    actions = ("activate", "deactivate")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return ("ticker1", "ticker2", *fields) if obj else fields

    def save_model(self, request, obj, form, change):
        if change:
            pair = services.update_pair(
                name=obj.name,
                **{
                    k: form.cleaned_data[k]
                    for k in ("hedge", "status", "notes")
                    if k in form.cleaned_data
                },
            )
        else:
            pair = services.register_pair(
                ticker1=obj.ticker1,
                ticker2=obj.ticker2,
                hedge=obj.hedge,
                status=obj.status,
                notes=obj.notes,
            )
        obj.pk, obj.name = pair.pk, pair.name

    @admin.action(description="Activate selected pairs")
    def activate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda p: services.update_pair(name=p.name, status=True),
            "pair(s) activated",
            "Left passive, a leg is an active single",
        )

    @admin.action(description="Deactivate selected pairs")
    def deactivate(self, request, queryset):
        apply_each(
            self,
            request,
            queryset,
            lambda p: services.update_pair(name=p.name, status=False),
            "pair(s) deactivated",
            "Not changed",
        )
