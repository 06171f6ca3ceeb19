from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tingsu.accounts"
    label = "accounts"
