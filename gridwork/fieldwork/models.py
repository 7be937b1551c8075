"""The field-work models, one module per part, gathered here for Django's app registry."""

from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolFix  # noqa: F401
from gridwork.fieldwork.reports_models import *  # noqa: F403 - the part "reports"
from gridwork.fieldwork.visit_models import Memo, SyncEntry, Visit  # noqa: F401
