"""API assembly: the NinjaAPI instance under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(title="Stella API", version="1", urls_namespace="api")
