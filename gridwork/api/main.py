"""The NinjaAPI under /api/v1: one router per app, every operation authenticated.

Only the OpenAPI schema (/api/v1/openapi.json) and the docs page (/api/v1/docs) are open;
`tests/test_every_route_has_auth.py` fails on any operation without auth.
"""

from typing import Any

from csp.decorators import csp_update
from ninja import NinjaAPI

from gridwork.accounts.api import router as accounts_router
from gridwork.api import errors
from gridwork.api.auth import API_AUTH
from gridwork.areas.api import router as areas_router
from gridwork.cases.api import router as cases_router
from gridwork.cases.public_api import router as cases_public_router
from gridwork.fieldwork.patrols_api import router as patrols_router
from gridwork.fieldwork.reports_api import router as fieldwork_reports_router
from gridwork.fieldwork.visits_api import router as fieldwork_visits_router
from gridwork.notify.api import router as notify_router
from gridwork.registry.api import router as registry_router
from gridwork.transfer.api import router as transfer_router
from gridwork.transfer.export_api import router as exports_router


class GridworkAPI(NinjaAPI):
    """The API whose OpenAPI schema also describes its error answers (see errors.document_errors)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return errors.document_errors(super().get_openapi_schema(*args, **kwargs))


api = GridworkAPI(
    title="Gridwork API",
    version="1",
    description="Scoped access to the area tree and the register. See gridwork/api/README.md.",
    urls_namespace="api",
    auth=API_AUTH,
    # Swagger UI (served from static files, no inline script) sets style attributes and <style>
    # elements as it renders, and draws its icons from data: URIs in its stylesheet: its page alone
    # allows inline styles. Scripts stay 'self' only.
    docs_decorator=csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}),
)
errors.install(api)

api.add_router("", accounts_router)
api.add_router("", areas_router)
api.add_router("", registry_router)
api.add_router("", transfer_router)
api.add_router("", exports_router)
api.add_router("", cases_router)
api.add_router("", cases_public_router)
api.add_router("", notify_router)
api.add_router("", patrols_router)
api.add_router("", fieldwork_visits_router)
api.add_router("", fieldwork_reports_router)
