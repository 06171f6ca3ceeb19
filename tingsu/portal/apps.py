from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "tingsu.portal"
    label = "portal"
