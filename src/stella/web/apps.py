from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "stella.web"
    label = "web"
    verbose_name = "Oberfläche"
