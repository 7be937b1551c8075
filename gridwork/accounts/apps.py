from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gridwork.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridwork.accounts import signals  # noqa: F401
