"""API assembly: the NinjaAPI instance under /api/v1/ with bearer auth, problem details and routers.

Handlers stay thin: validate input (schemas), build the Actor (`auth.actor`), call one service, shape
the answer. Services decide, write and audit; `errors.install` maps their exceptions to RFC 9457.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import NinjaAPI, Schema

from stella.api import (
    allocation,
    appointments,
    audit,
    auth,
    competences,
    docs,
    duplicates,
    errors,
    files,
    handovers,
    journey,
    matching,
    me,
    merges,
    notifications,
    occupations,
    offers,
    persons,
    reports,
    rules,
    tasks,
    users,
)

DESCRIPTION = """\
Die gemeinsame Fallakte über HTTP: dieselben Regeln, dieselbe Protokollierung wie in der Oberfläche.

* **Anmeldung:** `POST /api/v1/auth/token` mit Benutzername und Passwort liefert ein Bearer-Token;
  alle anderen Aufrufe senden `Authorization: Bearer <token>`.
* **Zweck:** Der optionale Header `X-Purpose` wird in jedes Protokollereignis des Aufrufs geschrieben.
* **Fehler:** RFC 9457 (`application/problem+json`) mit `errors: [{field, message}]`.
* **Nicht sichtbar = nicht vorhanden:** Was Sie nicht sehen dürfen, wird wie ein fehlender Datensatz
  beantwortet (404) und protokolliert.
"""

class StellaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document also describes the problem answers (see errors.py)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        return errors.document_problems(super().get_openapi_schema(path_prefix=path_prefix,
                                                                   path_params=path_params))


api = StellaAPI(
    title="Stella API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=auth.BearerToken(),
    docs=docs.OfflineSwagger(),
)
errors.install(api)

api.add_router("/auth", auth.router)
api.add_router("/me", me.router)
api.add_router("/persons", persons.router)
api.add_router("/persons", files.router)
api.add_router("/persons", journey.router)
api.add_router("/persons", rules.persons_router)
api.add_router("/persons", competences.router)
api.add_router("/rules", rules.rules_router)
api.add_router("", audit.router)
api.add_router("/users", users.router)
api.add_router("/tasks", tasks.router)
api.add_router("/appointments", appointments.router)
api.add_router("/notifications", notifications.router)
api.add_router("/occupations", occupations.router)
api.add_router("/handovers", handovers.router)
api.add_router("/offers", offers.offers_router)
api.add_router("/enrolments", offers.enrolments_router)
api.add_router("/persons", offers.persons_router)
api.add_router("/placements", offers.placements_router)
api.add_router("", matching.router)
api.add_router("/allocation", allocation.router)
api.add_router("/assignments", allocation.assignments_router)
api.add_router("/duplicates", duplicates.router)
api.add_router("/merges", merges.router)
api.add_router("/persons", merges.persons_router)
api.add_router("/reports", reports.router)
api.add_router("", docs.router)


class ProblemTypeOut(Schema):
    type: str
    status: int
    title: str
    description: str


@api.get("/problems/{slug}", auth=None, response=ProblemTypeOut, tags=["Dokumentation"],
         summary="Fehlerart erläutern")
def problem_type(request: HttpRequest, slug: str) -> Any:
    """The `type` of every problem document points here."""
    kind = errors.PROBLEM_TYPES.get(slug)
    if kind is None:
        raise Http404(slug)
    return {"type": kind.uri, "status": kind.status, "title": kind.title, "description": kind.description}
