"""What happens to each demo case: one script per outcome, a list of steps with who acts and when.

A script is played through the case services (gridwork/demo/history.py). Steps name the acting
part ("worker": the grid's worker; "centre": the lowest of the community's acceptance centre, the
street and the district that holds the case; "street", "district"; "department": the handler of
the department the case went to; "resident": the rating by tracking code) and the working hours
after the step before. Every status of every track is some script's end.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    who: str
    action: str
    hours: tuple[float, float] = (1, 6)  # working hours after the previous step, drawn in this range
    note: str = ""  # kind of note (case_words.NOTES), when the action needs one
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Script:
    name: str
    track: str
    reporter: str  # "worker", "resident" (the public form), "centre" (a visit or the hotline)
    steps: tuple[Step, ...]
    weight: int
    final: bool  # ends closed, rejected or merged: placed anywhere in the year
    duplicate: bool = False  # reported again soon after by a resident, and that report merged


S = Step
_DISPATCH = S("centre", "dispatch", (1, 4))
_HANDLE = S("department", "handle", (8, 36), "handle")
_VERIFY = S("worker", "verify_pass", (2, 8))
_FEEDBACK = S("centre", "feedback", (1, 6), "feedback")
_RATE = S("resident", "rate", (4, 30))
_ACCEPT = S("centre", "accept", (0.5, 3))
# The approval track's way up: accepted, town (street) review, district approval, public notice.
_APPROVAL_ACCEPT = S("centre", "accept", (2, 8))
_TO_REVIEW = S("centre", "submit_review", (4, 16))
_REVIEW_PASS = S("street", "review_pass", (8, 30))
_APPROVE = S("district", "approve", (16, 60))
_PUBLISH = S("centre", "publish", (30, 40))

SCRIPTS: tuple[Script, ...] = (
    # routine: handled on the spot by the grid worker
    Script("routine_on_site", "routine", "worker", (), 6, False),
    Script("routine_closed", "routine", "worker", (S("worker", "resolve", (0.5, 5), "resolve"),), 40, True),
    Script(
        "routine_closed_duplicate",
        "routine",
        "worker",
        (S("worker", "resolve", (4, 7), "resolve"),),
        4,
        True,
        duplicate=True,
    ),
    Script(
        "routine_escalated",
        "routine",
        "worker",
        (S("worker", "escalate", (1, 5), "escalate"), _DISPATCH, _HANDLE, _VERIFY, _FEEDBACK),
        4,
        True,
    ),
    # coordination: the acceptance centre, a department, verification on site, feedback
    Script("coordination_submitted", "coordination", "resident", (), 5, False),
    Script("coordination_accepted", "coordination", "worker", (_ACCEPT,), 4, False),
    Script("coordination_dispatched", "coordination", "worker", (_ACCEPT, _DISPATCH), 7, False),
    Script(
        "coordination_extended",
        "coordination",
        "worker",
        (_ACCEPT, _DISPATCH, S("department", "extend", (4, 20), "extend", {"amount": 3, "unit": "days"})),
        2,
        False,
    ),
    Script("coordination_handled", "coordination", "worker", (_ACCEPT, _DISPATCH, _HANDLE), 4, False),
    Script(
        "coordination_verified", "coordination", "worker", (_ACCEPT, _DISPATCH, _HANDLE, _VERIFY), 3, False
    ),
    Script(
        "coordination_suspended",
        "coordination",
        "worker",
        (_ACCEPT, S("centre", "suspend", (1, 4), "suspend")),
        2,
        False,
    ),
    Script(
        "coordination_closed",
        "coordination",
        "worker",
        (_ACCEPT, _DISPATCH, _HANDLE, _VERIFY, _FEEDBACK),
        30,
        True,
    ),
    Script(
        "coordination_closed_rated",
        "coordination",
        "resident",
        (_ACCEPT, _DISPATCH, _HANDLE, _VERIFY, _FEEDBACK, _RATE),
        18,
        True,
    ),
    Script(
        "coordination_closed_duplicate",
        "coordination",
        "resident",
        (S("centre", "accept", (4, 8)), _DISPATCH, _HANDLE, _VERIFY, _FEEDBACK, _RATE),
        6,
        True,
        duplicate=True,
    ),
    Script(
        "coordination_rework",
        "coordination",
        "worker",
        (
            _ACCEPT,
            _DISPATCH,
            _HANDLE,
            S("worker", "verify_fail", (2, 8), "verify_fail"),
            _HANDLE,
            _VERIFY,
            _FEEDBACK,
        ),
        5,
        True,
    ),
    Script(
        "coordination_returned",
        "coordination",
        "resident",
        (
            _ACCEPT,
            _DISPATCH,
            S("department", "return", (2, 10), "return"),
            _DISPATCH,
            _HANDLE,
            _VERIFY,
            _FEEDBACK,
            _RATE,
        ),
        3,
        True,
    ),
    Script(
        "coordination_rejected",
        "coordination",
        "resident",
        (S("centre", "reject", (1, 6), "reject"),),
        4,
        True,
    ),
    # emergency: at once to the street and the community, updates on site, resolved
    Script("emergency_open", "emergency", "worker", (S("worker", "update", (0.2, 1), "update"),), 1, False),
    Script(
        "emergency_closed",
        "emergency",
        "worker",
        (
            S("worker", "update", (0.2, 1), "update"),
            S("centre", "update", (0.3, 1.5), "update"),
            S("centre", "resolve", (0.5, 3), "resolve_emergency"),
        ),
        5,
        True,
    ),
    # approval: town review, district approval, public notice
    Script("approval_submitted", "approval", "centre", (), 2, False),
    Script("approval_accepted", "approval", "centre", (_APPROVAL_ACCEPT,), 2, False),
    Script(
        "approval_street_review",
        "approval",
        "centre",
        (_APPROVAL_ACCEPT, _TO_REVIEW),
        2,
        False,
    ),
    Script(
        "approval_district_review",
        "approval",
        "centre",
        (_APPROVAL_ACCEPT, _TO_REVIEW, _REVIEW_PASS),
        2,
        False,
    ),
    Script(
        "approval_notice",
        "approval",
        "centre",
        (_APPROVAL_ACCEPT, _TO_REVIEW, _REVIEW_PASS, _APPROVE),
        2,
        False,
    ),
    Script(
        "approval_closed",
        "approval",
        "centre",
        (_APPROVAL_ACCEPT, _TO_REVIEW, _REVIEW_PASS, _APPROVE, _PUBLISH),
        6,
        True,
    ),
    Script(
        "approval_denied",
        "approval",
        "centre",
        (_APPROVAL_ACCEPT, _TO_REVIEW, _REVIEW_PASS, S("district", "deny", (16, 60), "deny"), _PUBLISH),
        2,
        True,
    ),
    Script(
        "approval_returned",
        "approval",
        "centre",
        (
            _APPROVAL_ACCEPT,
            _TO_REVIEW,
            S("street", "return", (8, 30), "return"),
            S("centre", "submit_review", (8, 30)),
            _REVIEW_PASS,
            _APPROVE,
            _PUBLISH,
        ),
        1,
        True,
    ),
    Script("approval_rejected", "approval", "centre", (S("centre", "reject", (2, 8), "reject"),), 1, True),
)

# Every status each track's cases can rest in, and so what the demo holds for each track.
STATUSES_BY_TRACK: dict[str, frozenset[str]] = {
    "routine": frozenset({"on_site", "closed", "merged"}),
    "coordination": frozenset(
        {
            "submitted",
            "accepted",
            "dispatched",
            "handled",
            "verified",
            "suspended",
            "closed",
            "rejected",
            "merged",
        }
    ),
    "emergency": frozenset({"emergency", "closed"}),
    "approval": frozenset(
        {"submitted", "accepted", "street_review", "district_review", "notice", "closed", "rejected"}
    ),
}
