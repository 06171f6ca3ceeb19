from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tingsu.channels.email.models import Mailbox


class MailboxForm(forms.ModelForm):
    class Meta:
        model = Mailbox
        fields = [
            "name",
            "is_active",
            "host",
            "port",
            "use_ssl",
            "username",
            "password",
            "folder",
            "after_processing",
            "move_to_folder",
            "poll_interval_seconds",
            "next_poll_at",
        ]
        widgets = {"password": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stored password is never sent back to the browser; blank keeps it.
            self.fields["password"].required = False
            self.fields["password"].help_text = _("Leave blank to keep the current password.")

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not password and self.instance.pk:
            return self.instance.password
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "username", "host", "folder", "is_active", "last_polled_at"]
    list_filter = ["is_active", "after_processing"]
    search_fields = ["name", "username", "host"]
    readonly_fields = ["last_polled_at", "last_error"]
