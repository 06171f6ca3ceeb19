from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tingsu.audit"
    label = "audit"
