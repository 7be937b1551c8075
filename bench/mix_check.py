"""Every kind of request of the mixed workload, for every user, once, in-process (no server, no timing).

`check_every_kind()` builds the plan, then sends each user's next request of each of its kinds
through Django's test client (CSRF checks on, the user's own session and CSRF cookies) and judges
the answer as the load generator does. The test suite runs it (gridwork/core/tests/
test_bench_smoke.py), so a changed URL, form field or access rule shows up there and not first in
a benchmark run.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from pathlib import Path

from django.test import Client

from bench.mix import make_plan
from bench.mix_client import Mix, User, evaluate

SLOT = "check"


def check_every_kind(seed: int = 1) -> tuple[Counter, list[str]]:
    """(requests sent by kind, what went wrong: one line each)."""
    with tempfile.TemporaryDirectory() as folder:
        plan = make_plan(seed, [SLOT], 1.0, Path(folder) / "plan.json")
    mix = Mix(plan)
    rng = random.Random(seed)
    sent: Counter = Counter()
    problems: list[str] = []
    for spec in plan["users"]:
        user = User(spec)
        client = Client(enforce_csrf_checks=True)
        for name, value in (user.shared_jar or {}).items():
            client.cookies[name] = value
        if user.shared_jar is None:
            from gridwork.accounts.models import User as Account

            client.force_login(Account.objects.get(username=user.name))
        for kind in user.kinds:
            request = mix.build(kind, user, rng, SLOT, 0)
            if request is None:
                continue  # no case in this user's pool (a very small district)
            content_type = request.headers.get("Content-Type", "application/octet-stream")
            headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
            csrf = client.cookies.get(plan["csrf_cookie"])
            if csrf is not None and "X-CSRFToken" in headers:
                headers["X-CSRFToken"] = csrf.value
            response = client.generic(
                request.method,
                request.path,
                data=request.body or b"",
                content_type=content_type,
                headers=headers,
            )
            sent[request.kind] += 1
            for name in (plan["csrf_cookie"], plan["session_cookie"]):
                if name in response.cookies and user.shared_jar is not None:
                    user.shared_jar[name] = response.cookies[name].value
            messages = response.cookies["messages"].value if "messages" in response.cookies else ""
            client.cookies.pop("messages", None)
            ok, err, _created = evaluate(
                request, response.status_code, response.content, messages, response.get("Location", "")
            )
            if not ok:
                problems.append(
                    f"{spec['role']} {user.name}: {request.kind} {request.method} {request.path}: {err}"
                )
    return sent, problems
