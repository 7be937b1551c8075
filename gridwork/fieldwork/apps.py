from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "gridwork.fieldwork"
    label = "fieldwork"
    verbose_name = _("field work")

    def ready(self) -> None:
        from gridwork.fieldwork.reports_services import record_missing_now
        from gridwork.notify.tasks import register_periodic

        # Missing weekly reports are recorded with every periodic check (`gridwork schedule_periodic`)
        # once their deadline has passed; the command `fieldwork_lapses` does the same by hand.
        register_periodic(record_missing_now)
