from django import forms
from django.contrib import admin, messages
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tingsu.cases.services import Actor
from tingsu.core.errors import TingsuError
from tingsu.customers.merge import customer_merge
from tingsu.customers.models import Customer
from tingsu.customers.phones import looks_like_phone
from tingsu.customers.selectors import customer_email_q, customer_phone_q
from tingsu.privacy.fields import EncryptedTextField
from tingsu.privacy.subjects import subject_erase, subject_export


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "customer_number", "tier", "created_at"]
    list_filter = ["tier"]
    # Phone and email are encrypted: searched by exact value through their blind index.
    search_fields = ["name", "customer_number", "wechat_openid"]
    readonly_fields = ["anonymised_at"]
    formfield_overrides = {EncryptedTextField: {"widget": forms.TextInput}}
    actions = ["merge_into_oldest", "export_personal_data", "erase_personal_data"]

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if looks_like_phone(term):
            found |= queryset.filter(customer_phone_q(term))
        elif "@" in term:
            found |= queryset.filter(customer_email_q(term))
        return found, may_have_duplicates

    @admin.action(description=gettext_lazy("Merge selected customers into the oldest"))
    def merge_into_oldest(self, request, queryset):
        chosen = list(queryset.order_by("created_at", "pk"))
        if len(chosen) != 2:
            self.message_user(
                request, _("Select exactly two customers to merge."), messages.WARNING
            )
            return
        target, source = chosen
        try:
            result = customer_merge(actor=Actor.staff(request.user), source=source, target=target)
        except TingsuError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request,
            _("%(source)s merged into %(target)s; %(n)d cases moved.")
            % {"source": source, "target": target, "n": len(result.moved_cases)},
            messages.SUCCESS,
        )

    def _one(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one customer."), messages.WARNING)
            return None
        return queryset.get()

    @admin.action(description=gettext_lazy("Export personal data (JSON, data-subject request)"))
    def export_personal_data(self, request, queryset):
        customer = self._one(request, queryset)
        if customer is None:
            return None
        data = subject_export(actor=request.user, customer=customer)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
        return response

    @admin.action(description=gettext_lazy("Erase personal data (pseudonymise, keeps legal holds)"))
    def erase_personal_data(self, request, queryset):
        customer = self._one(request, queryset)
        if customer is None:
            return
        result = subject_erase(actor=request.user, customer=customer)
        level = messages.WARNING if result.skipped_cases else messages.SUCCESS
        self.message_user(
            request,
            _(
                "%(n)d cases anonymised; customer pseudonymised: %(done)s; "
                "kept (legal hold): %(kept)s"
            )
            % {
                "n": len(result.anonymised_cases),
                "done": _("yes") if result.customer_pseudonymised else _("no"),
                "kept": ", ".join(result.skipped_cases) or "—",
            },
            level,
        )
