"""The field-work models, one module per part, gathered here for Django's app registry."""

from gridwork.fieldwork.visit_models import Memo, SyncEntry, Visit  # noqa: F401
