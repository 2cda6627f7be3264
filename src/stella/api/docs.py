"""Interactive API docs that work offline: Swagger UI from the installed django-ninja package.

Ninja's default page loads Swagger UI from a CDN unless "ninja" is an installed app. Stella's
settings do not list it, so the page below is rendered from our own template and the four asset
files are served by the API itself, read from `ninja/static/ninja/` (never downloaded).
The spec validator badge is switched off: it would send the spec to validator.swagger.io.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja import NinjaAPI, Router
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"})
SWAGGER_SETTINGS: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, "validatorUrl": None}

router = Router(tags=["Dokumentation"])


@router.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs-asset")
def asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineSwagger(DocsBase):
    """Swagger UI with every script and style from this server."""

    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**SWAGGER_SETTINGS, "url": self.get_openapi_url(api, kwargs)}
        assets = {name.replace("-", "_").replace(".", "_"): reverse(f"{api.urls_namespace}:docs-asset", args=[name])
                  for name in ASSETS}
        return render(request, self.template, {"api": api, "swagger_settings": json.dumps(settings), **assets})
