from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "stella.accounts"
    label = "accounts"
    verbose_name = "Benutzer"

    def ready(self) -> None:
        from stella.accounts import signals  # noqa: F401  (connects the audit receivers)
