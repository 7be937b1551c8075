from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gridwork.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridwork.registry import counts

        counts.connect()
