"""The only code that writes cases: reporting, the state machine's transitions, rating, overdue flags.

Every write checks state, role and scope, runs in one transaction with the case row locked, writes
the timeline (and the audit log) and sends `signals.case_event_written` in the transaction and
`signals.case_event` after commit. The modules: lookup (the scoped case, who may act), timeline
(what every write shares), reporting, transitions (and rating), duplicates, overdue, publishing
(the public board's text).
"""

from gridwork.cases.services.duplicates import distance_m, find_possible_duplicates
from gridwork.cases.services.lookup import (
    PUBLIC_NOTE_ACTIONS,
    acting_role,
    allowed_actions,
    get_by_tracking_code,
    get_visible_case,
    log_case_read,
    public_timeline,
)
from gridwork.cases.services.overdue import flag_overdue
from gridwork.cases.services.publishing import PUBLIC_TEXT_MAX, may_publish, publish_public_text
from gridwork.cases.services.reporting import PUBLIC_SOURCES, TRACKING_ALPHABET, TRACKING_LENGTH, report_case
from gridwork.cases.services.reveal import may_reveal_case, reveal_case
from gridwork.cases.services.transitions import ACTION_PARAMS, act, rate_case

__all__ = [
    "ACTION_PARAMS",
    "PUBLIC_NOTE_ACTIONS",
    "PUBLIC_SOURCES",
    "PUBLIC_TEXT_MAX",
    "TRACKING_ALPHABET",
    "TRACKING_LENGTH",
    "act",
    "acting_role",
    "allowed_actions",
    "distance_m",
    "find_possible_duplicates",
    "flag_overdue",
    "get_by_tracking_code",
    "get_visible_case",
    "log_case_read",
    "may_publish",
    "public_timeline",
    "publish_public_text",
    "rate_case",
    "may_reveal_case",
    "report_case",
    "reveal_case",
]
