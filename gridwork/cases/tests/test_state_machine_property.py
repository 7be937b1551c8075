"""Random sequences of actions by random actors never reach an illegal state nor lose a timeline entry."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from gridwork.cases import machine, services
from gridwork.cases.errors import Conflict
from gridwork.cases.models import Case, CaseEvent, Status, Track
from gridwork.cases.tests.helpers import report
from gridwork.cases.tests.test_refusals import TABLE_ACTIONS, params_for
from gridwork.core.errors import NotFound

ACTORS = [
    "member_a1",
    "worker_a1",
    "worker_a2",
    "worker_b1",
    "centre_a",
    "centre_b",
    "street_a",
    "street_b",
    "district",
    "department",
    "dept_other",
    "nobody",
]
STARTS = {
    "E0101": "worker_a1",
    "E0104": "worker_a1",
    "E0401": "worker_a1",
    "S0201": "centre_a",
    "E0102": None,
}
REFUSALS = (Conflict, PermissionDenied, NotFound, ValidationError)


def test_random_action_sequences_keep_the_loop_sound(cd: Any) -> None:
    reached: set[str] = set()
    successes: list[int] = []

    class CaseLoop(RuleBasedStateMachine):
        @initialize(category=st.sampled_from(sorted(STARTS)))
        def start(self, category: str) -> None:
            who = STARTS[category]
            extra = (
                {"source": "resident", "reporter_name": "李四", "reporter_phone": "13800001111"}
                if who is None
                else {}
            )
            self.case = report(cd, who, category=category, **extra)
            self.other = report(cd, "worker_a1")
            self.entries = self.count()
            self.successes = 0

        def count(self) -> int:
            return CaseEvent.objects.filter(case_id=self.case.pk).count()

        @rule(data=st.data(), actor=st.sampled_from(ACTORS), likely=st.booleans())
        def act(self, data: Any, actor: str, likely: bool) -> None:
            case = Case.objects.get(pk=self.case.pk)
            # Half the steps pick an action someone may take now, so walks get deep into the loop;
            # the other half are any action by any actor, mostly refused.
            possible = [(who, a) for who in ACTORS for a in services.allowed_actions(cd.users[who], case)]
            if likely and possible:
                actor, action = data.draw(st.sampled_from(possible))
            else:
                action = data.draw(st.sampled_from(TABLE_ACTIONS))
            version = case.version
            try:
                services.act(cd.users[actor], case.pk, action, **params_for(action, self.other))
            except REFUSALS:
                assert self.count() == self.entries
                assert Case.objects.get(pk=case.pk).version == version
                return
            self.entries += 1
            self.successes += 1
            assert self.count() == self.entries
            assert Case.objects.get(pk=case.pk).version == version + 1

        @invariant()
        def state_is_legal(self) -> None:
            case = Case.objects.get(pk=self.case.pk)
            assert case.status in Status.values and case.track in Track.values
            if case.status != Status.MERGED:
                assert any(status == case.status for status, _a in machine.TRANSITIONS)
            if case.status == Status.DISPATCHED:
                assert case.holder_department
            if case.status == Status.SUSPENDED:
                assert case.suspended_status
            if case.status == Status.CLOSED:
                assert case.closed_at is not None
                if case.track == Track.COORDINATION:
                    since = list(case.events.order_by("at", "id").values_list("action", flat=True))
                    last_reopen = max((i for i, a in enumerate(since) if a == "reopen"), default=-1)
                    assert "verify_pass" in since[last_reopen + 1 :]
            reached.add(case.status)
            holders = case.holder_area_id or ""
            assert case.grid_id.startswith(holders) and len(holders) >= 6

        def teardown(self) -> None:
            successes.append(getattr(self, "successes", 0))

    run_state_machine_as_test(
        CaseLoop,
        settings=settings(
            max_examples=30,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # The walk really moved cases through the loop, not only collected refusals.
    assert sum(successes) >= 30
    assert len(reached) >= 5
