"""The field-work models, one module per part, gathered here for Django's app registry."""

from gridwork.fieldwork.reports_models import *  # noqa: F403 - the part "reports"
