from django.contrib import admin

from tingsu.customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "email", "customer_number", "tier", "created_at"]
    list_filter = ["tier"]
    search_fields = ["name", "phone", "email", "customer_number", "wechat_openid"]
