from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tingsu.cases.services import Actor
from tingsu.core.errors import TingsuError
from tingsu.customers.merge import customer_merge
from tingsu.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "customer_number", "tier", "created_at"]
    list_filter = ["tier"]
    search_fields = ["name", "phone", "email", "customer_number", "wechat_openid"]
    actions = ["merge_into_oldest"]

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
