from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "stella.core"
    label = "core"
    verbose_name = "Kern"
