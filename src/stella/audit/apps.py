from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stella.audit"
    label = "audit"
    verbose_name = "Protokoll"
