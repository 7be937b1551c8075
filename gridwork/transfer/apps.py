from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "gridwork.transfer"
    label = "transfer"
    verbose_name = _("imports and exports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridwork.notify.tasks import register_periodic
        from gridwork.transfer.services import sweep_import_files

        # Old import files go with every periodic check (`gridwork schedule_periodic`).
        register_periodic(sweep_import_files)
