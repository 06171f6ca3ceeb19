from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tingsu.accounts.models import ApiKey, ApiKeyScope, Department, Team, User
from tingsu.accounts.services import api_key_create


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department"]
    list_filter = ["department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "data_scope", "department", "is_active"]
    list_filter = ["role", "data_scope", "department", "is_active"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Tingsu"), {"fields": ("display_name", "role", "department", "team")}),
        (_("Data scope"), {"fields": ("data_scope", "scope_categories")}),
    )
    filter_horizontal = [*BaseUserAdmin.filter_horizontal, "scope_categories"]
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Tingsu"), {"fields": ("display_name", "role", "department", "team")}),
    )


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "scopes", "user", "rate_limit_per_minute", "is_active"]

    def clean_scopes(self):
        scopes = self.cleaned_data["scopes"]
        if not isinstance(scopes, list) or set(scopes) - set(ApiKeyScope.values):
            raise forms.ValidationError(
                _("A list of scopes from: %(scopes)s") % {"scopes": ", ".join(ApiKeyScope.values)}
            )
        return scopes


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "prefix", "scopes", "user", "rate_limit_per_minute", "is_active"]
    readonly_fields = ["prefix", "last_used_at"]
    fields = ["name", "scopes", "user", "rate_limit_per_minute", "is_active", "prefix"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key, raw = api_key_create(
            actor=request.user,
            name=obj.name,
            scopes=obj.scopes,
            user=obj.user,
            rate_limit_per_minute=obj.rate_limit_per_minute,
        )
        obj.pk = key.pk
        messages.warning(
            request, _("Copy this key now, it is not shown again: %(key)s") % {"key": raw}
        )


# django-otp registers an admin in which anyone with admin access can add an authenticator
# for another user, or read a device's key, and then pass that user's second factor.
# Here devices are enrolled only by their owner (desk, "Two-factor"); the admin lists
# them and can delete one, which is how a lost phone is reset (the owner enrols again).
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "name"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
