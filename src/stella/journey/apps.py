from django.apps import AppConfig


class JourneyConfig(AppConfig):
    name = "stella.journey"
    label = "journey"
    verbose_name = "Verlauf und Übergaben"
