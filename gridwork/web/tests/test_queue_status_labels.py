"""The queue shows each case's status in the visitor's language (labels looked up once per page)."""

from __future__ import annotations

from django.utils import translation

from gridwork.cases.models import Status
from gridwork.cases.tests.helpers import report
from gridwork.conftest import District
from gridwork.web.tests.helpers import html


def test_status_labels_follow_the_language(cd: District) -> None:
    case = report(cd, "worker_a1", title="北门路灯不亮")
    client = cd.client("worker_a1")
    shown = set()
    for language in ("en", "zh-hans"):
        response = client.get("/cases/?tab=area", HTTP_ACCEPT_LANGUAGE=language)
        assert language == response.wsgi_request.LANGUAGE_CODE
        with translation.override(language):
            label = str(Status(case.status).label)
        assert f'<span class="status">{label}</span>' in html(response)
        shown.add(label)
    assert len(shown) == 2
