"""Every illegal transition is refused; role and scope are checked on every action; nothing half-done."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from gridwork.accounts.access import forget_assignments
from gridwork.cases import machine, services
from gridwork.cases.errors import StaleCase, TransitionNotAllowed
from gridwork.cases.models import Action, Case, CaseEvent, Status, Track
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import report
from gridwork.conftest import COMMUNITY_A
from gridwork.core.errors import NotFound
from gridwork.core.system import SYSTEM

TABLE_ACTIONS = [a for a in Action.values if a not in machine.NON_TABLE_ACTIONS]


def params_for(action: str, other: Case | None = None) -> dict[str, Any]:
    kw: dict[str, Any] = {"note": "理由"}
    if action == Action.DISPATCH:
        kw["department"] = URBAN
    if action == Action.MERGE and other is not None:
        kw["into"] = other.pk
    if action == Action.EXTEND:
        kw.update(amount=1, unit="days")
    return kw


def force(case: Case, status: str, track: str | None = None) -> Case:
    """Put a case straight into a status (test set-up only), held the way that status is held."""
    fields: dict[str, Any] = {"status": status, "holder_area_id": COMMUNITY_A, "holder_department": ""}
    if track:
        fields["track"] = track
    if status == Status.DISPATCHED:
        fields["holder_department"] = URBAN
        CaseEvent.objects.create(case=case, action="dispatch", at=case.created_at, department=URBAN)
    if status == Status.SUSPENDED:
        fields["suspended_status"] = Status.ACCEPTED
    Case.objects.filter(pk=case.pk).update(**fields)
    return Case.objects.get(pk=case.pk)


def snapshot(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.status, case.version, case.holder_key, CaseEvent.objects.filter(case=case).count()


@pytest.mark.parametrize("status", Status.values)
def test_every_action_not_in_the_table_is_refused(cd: Any, status: str) -> None:
    other = report(cd)
    for track in Track.values:
        case = force(report(cd), status, track)
        for action in TABLE_ACTIONS:
            transition = machine.transition_for(status, action)
            if transition is not None and track in transition.tracks:
                continue
            before = snapshot(case)
            with pytest.raises(TransitionNotAllowed):
                services.act(SYSTEM, case.pk, action, **params_for(action, other))
            assert snapshot(case) == before, (status, track, action)


def test_the_table_covers_every_open_status_and_only_known_values() -> None:
    for (status, action), transition in machine.TRANSITIONS.items():
        assert status in Status.values and action in Action.values
        targets = transition.to.values() if isinstance(transition.to, dict) else [transition.to]
        assert all(t in Status.values or t == machine.PREVIOUS for t in targets)
    from_statuses = {status for status, _action in machine.TRANSITIONS}
    assert from_statuses >= {s for s in Status.values if s != Status.MERGED}


def test_non_table_and_unknown_actions_are_invalid(cd: Any) -> None:
    from django.core.exceptions import ValidationError

    case = report(cd)
    for action in ("overdue", "rate", "report", "fly"):
        with pytest.raises(ValidationError):
            services.act(SYSTEM, case.pk, action)


VISIBLE = ["member_a1", "worker_a1", "centre_a", "street_a", "district", "department"]
OUTSIDERS = ["nobody", "worker_a2", "worker_b1", "centre_b", "street_b", "auditor", "admin"]


@pytest.mark.parametrize("key", sorted(machine.TRANSITIONS), ids=lambda k: f"{k[0]}-{k[1]}")
def test_role_and_scope_on_every_action(cd: Any, key: tuple[str, str]) -> None:
    status, action = key
    transition = machine.TRANSITIONS[key]
    track = sorted(transition.tracks)[0]
    other = report(cd)
    case = force(report(cd), status, track)
    before = snapshot(case)
    for who in OUTSIDERS + ["dept_other"]:
        with pytest.raises(NotFound):
            services.act(cd.users[who], case.pk, action, **params_for(action, other))
    for who in VISIBLE:
        user = cd.users[who]
        forget_assignments(user)
        allowed = action in services.allowed_actions(user, case)
        roles = {a.role for a in user.roles.all()}
        if not roles & transition.roles:
            assert not allowed, (who, key)
        if not allowed:
            visible = Case.objects.visible_to(user).filter(pk=case.pk).exists()
            with pytest.raises(PermissionDenied if visible else NotFound):
                services.act(user, case.pk, action, **params_for(action, other))
    assert snapshot(case) == before
    # And someone may do it (the system at least; a role of the district for most).
    assert services.acting_role(SYSTEM, transition.roles, case) == "system"


def test_wrong_department_cannot_handle(cd: Any) -> None:
    case = report(cd)
    services.act(cd.users["centre_a"], case.pk, "accept")
    services.act(cd.users["centre_a"], case.pk, "dispatch", department=URBAN)
    assert not Case.objects.visible_to(cd.users["dept_other"]).filter(pk=case.pk).exists()
    with pytest.raises(NotFound):
        services.act(cd.users["dept_other"], case.pk, "handle")
    services.act(cd.users["department"], case.pk, "handle")
    # The department keeps seeing the case after it moved on.
    assert Case.objects.visible_to(cd.users["department"]).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDenied):
        services.act(cd.users["department"], case.pk, "verify_pass")


def test_stale_version_is_a_conflict(cd: Any) -> None:
    case = report(cd)
    with pytest.raises(StaleCase):
        services.act(cd.users["centre_a"], case.pk, "accept", expected_version=case.version + 1)
    services.act(cd.users["centre_a"], case.pk, "accept", expected_version=case.version)
    assert Case.objects.get(pk=case.pk).version == case.version + 1


def test_escalating_above_the_district_is_refused(cd: Any) -> None:
    case = report(cd)
    for who in ("centre_a", "street_a"):
        services.act(cd.users[who], case.pk, "escalate", note="上报")
    assert Case.objects.get(pk=case.pk).holder_area_id == "110112"
    with pytest.raises(TransitionNotAllowed):
        services.act(cd.users["district"], case.pk, "escalate", note="上报")
