from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "stella.people"
    label = "people"
    verbose_name = "Personen"
