from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tingsu.desk"
    label = "desk"
