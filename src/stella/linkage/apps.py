from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "stella.linkage"
    label = "linkage"
    verbose_name = "Dubletten und Zusammenführung"
