"""Entries of Open311 (GeoReport v2), the cases app's public interface."""

from __future__ import annotations

from gridwork.web.tests.matrix.district import point
from gridwork.web.tests.matrix.rules import EVERYONE, SIGNED_IN, Ctx, Entry, Rule

PUBLIC = Rule(EVERYONE, scoped=False)


def _open311_post(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    token = c.d.tokens.get(c.principal, "")
    return {"api_key": token, "service_code": "E0104", "lat": lat, "long": lon, "description": "路灯不亮"}


ENTRIES: dict[str, Entry] = {
    "GET open311:services": Entry(PUBLIC, {"fmt": "=json"}),
    "GET open311:service": Entry(PUBLIC, {"service_code": "=E0104", "fmt": "=json"}),
    "GET open311:requests": Entry(PUBLIC, {"fmt": "=json"}),
    # Any client holding a token reports as a resident would (the public may report without one).
    "POST open311:requests": Entry(
        Rule(SIGNED_IN, ok=201, scoped=False, anon=403), {"fmt": "=json"}, body=_open311_post
    ),
    "GET open311:request": Entry(PUBLIC, {"request_id": "open311_case", "fmt": "=json"}),
    "GET open311:token": Entry(PUBLIC, {"token": "open311_token", "fmt": "=json"}),
}
