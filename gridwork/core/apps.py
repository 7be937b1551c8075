from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gridwork.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks (the encryption keys).
        from gridwork.core import checks  # noqa: F401
