from django.apps import AppConfig


class AuthzConfig(AppConfig):
    name = "stella.authz"
    label = "authz"
    verbose_name = "Zugriffsrechte"
