"""The pages need nothing from outside: htmx and our stylesheet are served by the app itself."""

from __future__ import annotations

import re

from django.test import Client

from gridwork.web.tests.helpers import html


def test_scripts_and_styles_are_local(db: object) -> None:
    client = Client()
    body = html(client.get("/login/"))
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', body)
    assert any("htmx" in a for a in assets) and any(a.endswith("gridwork.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()
