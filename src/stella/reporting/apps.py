from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "stella.reporting"
    label = "reporting"
    verbose_name = "Auswertungen"
