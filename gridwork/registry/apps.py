from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "gridwork.registry"
    label = "registry"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridwork.areas.signals import grid_boundary_changed
        from gridwork.registry import counts
        from gridwork.registry.services import reassign_buildings_to_grids

        counts.connect()
        grid_boundary_changed.connect(
            reassign_buildings_to_grids, dispatch_uid="gridwork.registry.reassign_buildings_to_grids"
        )
