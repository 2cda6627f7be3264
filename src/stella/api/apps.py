from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "stella.api"
    label = "api"
    verbose_name = "API"
