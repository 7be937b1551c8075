"""Entries of the transfer app: imports (each job its uploader's) and exports."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.web.tests.matrix.rules import (
    EXPORTERS,
    REASON,
    REGISTER_WRITERS,
    SIGNED_IN,
    Ctx,
    Entry,
    Rule,
    api_object,
    second_factor,
)

PERSON_CSV = "name,id_number\n矩阵,110112198803010026\n"


def _import(c: Ctx) -> dict:
    file = SimpleUploadedFile("people.csv", PERSON_CSV.encode(), content_type="text/csv")
    return {"kind": "persons", "mode": "check", "file": file}


def _export(c: Ctx) -> dict:
    return {"area": c.t("grid"), "format": "csv", **REASON}


ENTRIES: dict[str, Entry] = {
    "GET web:imports": Entry(Rule(REGISTER_WRITERS, scoped=False)),
    "POST web:imports": Entry(
        Rule(REGISTER_WRITERS, ok=302, scoped=False), body=_import, encoding="multipart"
    ),
    "GET web:import_template": Entry(
        Rule(REGISTER_WRITERS, scoped=False), {"kind": "=persons", "file_format": "=csv"}
    ),
    "GET web:import_job": Entry(Rule(REGISTER_WRITERS), {"pk": "job"}),
    "GET web:import_errors": Entry(Rule(REGISTER_WRITERS), {"pk": "job", "file_format": "=csv"}),
    "GET web:area_export": Entry(Rule(EXPORTERS), {"code": "grid", "kind": "=persons"}),
    "POST web:area_export": Entry(
        Rule(EXPORTERS), {"code": "grid", "kind": "=persons"}, body=lambda c: {"format": "csv", **REASON}
    ),
    "POST /api/v1/imports": Entry(
        Rule(REGISTER_WRITERS, ok=202, scoped=False), body=_import, encoding="multipart"
    ),
    # An import job is its uploader's: anyone signed in reads their own, another's is as missing.
    "GET /api/v1/imports/{job_id}": Entry(api_object(SIGNED_IN), {"job_id": "job"}),
    "GET /api/v1/imports/{job_id}/errors": Entry(api_object(SIGNED_IN), {"job_id": "job"}),
    "GET /api/v1/exports/{kind}": Entry(
        Rule(EXPORTERS, token=second_factor(EXPORTERS)),
        {"kind": "=persons"},
        query={"area": "@grid", "format": "csv"},
    ),
    "POST /api/v1/exports/{kind}": Entry(
        Rule(EXPORTERS, token=second_factor(EXPORTERS)), {"kind": "=persons"}, body=_export, encoding="json"
    ),
}
