"""Staff manage users through Django's user admin, under the same username rules as the API."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from audit.admin import ChangeHistoryMixin

from .usernames import UsernameRefused, check_new_username


class _UsernameRules:
    def clean_username(self):
        try:
            return check_new_username(self.cleaned_data["username"], other_than=self.instance)
        except UsernameRefused as refused:
            raise forms.ValidationError(str(refused)) from None


class NewUserForm(_UsernameRules, AdminUserCreationForm):
    pass


class ChangedUserForm(_UsernameRules, UserChangeForm):
    pass


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PairsUserAdmin(ChangeHistoryMixin, UserAdmin):
    audit_model = "user"
    add_form = NewUserForm
    form = ChangedUserForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, ("Change history", {"fields": ("change_history",)}))
