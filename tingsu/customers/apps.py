from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "tingsu.customers"
    label = "customers"
