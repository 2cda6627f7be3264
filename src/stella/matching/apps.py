from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "stella.matching"
    label = "matching"
    verbose_name = "Matching und Zuteilung"
