from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "gridwork.notify"
    label = "notify"
    verbose_name = _("notifications")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from gridwork.cases.signals import case_event, case_event_written
        from gridwork.notify.receivers import on_case_event, queue_case_event

        # Strong references with fixed uids: connected once however often ready() runs.
        case_event_written.connect(queue_case_event, dispatch_uid="gridwork.notify.queue_case_event")
        case_event.connect(on_case_event, dispatch_uid="gridwork.notify.on_case_event")
