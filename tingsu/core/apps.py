from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tingsu.core"
    label = "core"
