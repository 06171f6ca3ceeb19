from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "tingsu.cases"
    label = "cases"
