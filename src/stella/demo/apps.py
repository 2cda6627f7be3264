from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "stella.demo"
    label = "demo"
    verbose_name = "Demodaten"
