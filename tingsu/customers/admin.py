from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tingsu.cases.services import Actor
from tingsu.core.errors import TingsuError
from tingsu.customers.merge import customer_merge
from tingsu.customers.models import Customer
from tingsu.customers.phones import looks_like_phone
from tingsu.customers.selectors import customer_email_q, customer_phone_q


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "customer_number", "tier", "created_at"]
    list_filter = ["tier"]
    # Phone and email are encrypted: searched by exact value through their blind index.
    search_fields = ["name", "customer_number", "wechat_openid"]
    readonly_fields = ["anonymised_at"]
    actions = ["merge_into_oldest"]

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
