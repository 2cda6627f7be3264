from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "stella.agencies"
    label = "agencies"
    verbose_name = "Behörden"
