"""The NinjaAPI under /api/v1 (placeholder until the API lands: see gridwork/api/README)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Gridwork API", version="1", urls_namespace="api")
