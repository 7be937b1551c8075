"""The auditor's export of the audit log: XLSX and CSV, filtered by time, user and kind, within the
auditor's areas, formulas escaped, numbers masked, and itself written to the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

from openpyxl import load_workbook

from gridwork.accounts import services as accounts
from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.web.tests.helpers import assert_login_redirect

ID_NUMBER = "110112196005010011"


def rows_of_csv(response: object) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(text)))


def seed(district: District) -> None:
    audit.log(
        AuditEvent.Action.REVEAL,
        district.users["worker_a1"],
        obj=district.people[GRID_A1],
        reason=f'=HYPERLINK("x") 核对 {ID_NUMBER}',
    )
    audit.log(
        AuditEvent.Action.REVEAL, district.users["worker_b1"], obj=district.people[GRID_B1], reason="核对"
    )
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        audit.log(
            AuditEvent.Action.REVEAL, district.users["worker_a1"], obj=district.people[GRID_A1], reason="旧"
        )


def test_only_auditors_export(district: District) -> None:
    assert_login_redirect(district.client(None).get("/audit/export.csv"))
    for who in ("nobody", "worker_a1", "street_a", "admin"):
        assert district.client(who).get("/audit/export.csv").status_code == 403, who
    assert district.client("auditor").get("/audit/export.pdf").status_code == 404


def test_csv_filtered_escaped_masked_and_audited(district: District) -> None:
    seed(district)
    response = district.client("auditor").get(
        "/audit/export.csv", {"action": "reveal", "actor": "worker_a1", "since": "2026-01-01"}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    header, *rows = rows_of_csv(response)
    assert len(rows) == 1 and response["X-Export-Rows"] == "1"
    assert rows[0][1] == "worker_a1" and rows[0][2] == "reveal"
    reason = rows[0][5]
    assert reason.startswith("'=HYPERLINK") and ID_NUMBER not in reason and ID_NUMBER[-4:] in reason
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, object_type="core.auditevent").get()
    assert event.actor_label == "auditor"
    assert event.detail == {
        "format": "csv",
        "rows": 1,
        "filters": {"action": "reveal", "actor": "worker_a1", "since": event.detail["filters"]["since"]},
    }
    assert event.detail["filters"]["since"].startswith("2026-01-01")


def test_xlsx_within_a_street_auditors_areas(district: District) -> None:
    seed(district)
    user = accounts.create_user(SYSTEM, "auditor_a", "x", check_password=False)
    accounts.grant_role(SYSTEM, user, "auditor", "110112001")
    client = district.client(None)
    client.force_login(user)
    response = client.get("/audit/export.xlsx", {"action": "reveal"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert len(rows) == 2 and {row[1] for row in rows} == {"worker_a1"}
    assert all(str(row[4]).startswith("110112001") for row in rows)
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, actor_label="auditor_a")
    assert export.area_code == "110112001" and export.detail["rows"] == 2
