from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransferConfig(AppConfig):
    name = "gridwork.transfer"
    label = "transfer"
    verbose_name = _("imports and exports")
    default_auto_field = "django.db.models.BigAutoField"
