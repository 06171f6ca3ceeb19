from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "tingsu.demo"
    label = "demo"
