from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "stella.cases"
    label = "cases"
    verbose_name = "Fallakten"
