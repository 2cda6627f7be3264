from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "stella.offers"
    label = "offers"
    verbose_name = "Angebote"
