from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "stella.rules"
    label = "rules"
    verbose_name = "Rechtsregeln"
