"""Two users act on one case at the same moment: exactly one succeeds, the other gets a conflict."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from gridwork.cases import services
from gridwork.cases.errors import Conflict
from gridwork.cases.models import Case, CaseEvent
from gridwork.cases.tests.helpers import report

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("with_version", [False, True])
def test_two_acceptances_at_once(cd: Any, with_version: bool) -> None:
    case = report(cd)
    version = case.version if with_version else None
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def worker(who: str, action: str, kwargs: dict[str, Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[who] = services.act(cd.users[who], case.pk, action, expected_version=version, **kwargs)
        except Exception as exc:  # noqa: BLE001 the test inspects what each thread got
            results[who] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=("centre_a", "accept", {})),
        threading.Thread(target=worker, args=("street_a", "accept", {"track": "coordination"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    outcomes = list(results.values())
    assert len(outcomes) == 2
    won = [r for r in outcomes if isinstance(r, CaseEvent)]
    lost = [r for r in outcomes if isinstance(r, Exception)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], Conflict), repr(lost[0])
    final = Case.objects.get(pk=case.pk)
    assert final.status == won[0].to_status and final.version == case.version + 1
    assert CaseEvent.objects.filter(case=case).count() == 2  # the report and the one that won
