"""One error mapping for the API: every failure becomes an RFC 9457 problem (application/problem+json).

Domain errors carry German messages from the services; schema errors from pydantic are translated
here, with field paths like `names.0.family_name`, so that API clients and the web UI show the same
kind of message. Problem types are relative URIs under /api/v1/problems/ and can be looked up there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from stella.core.errors import Conflict, DomainError, InvalidInput

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "/api/v1/problems/"


@dataclass(frozen=True)
class ProblemType:
    """A documented kind of problem; `slug` forms the type URI."""

    slug: str
    status: int
    title: str
    description: str

    @property
    def uri(self) -> str:
        return PROBLEM_BASE + self.slug


PROBLEM_TYPES: dict[str, ProblemType] = {
    p.slug: p
    for p in (
        ProblemType("bad-request", 400, "Ungültige Anfrage",
                    "Die Anfrage konnte nicht gelesen werden (z. B. kein gültiges JSON)."),
        ProblemType("unauthorized", 401, "Nicht angemeldet",
                    "Es fehlt ein gültiges Bearer-Token, oder Benutzername/Passwort sind falsch."),
        ProblemType("forbidden", 403, "Kein Zugriff",
                    "Ihre Rolle oder Behörde darf diese Aktion nicht ausführen; `detail` nennt die Regel."),
        ProblemType("not-found", 404, "Nicht gefunden",
                    "Der Datensatz existiert nicht – oder Sie dürfen ihn nicht sehen (gleiche Antwort, protokolliert)."),
        ProblemType("conflict", 409, "Bearbeitungskonflikt",
                    "Die Änderung beruhte auf einer veralteten Version; nichts wurde gespeichert. "
                    "`current_version` und `changes` zeigen, was sich seitdem geändert hat."),
        ProblemType("invalid-input", 422, "Ungültige Eingabe",
                    "Eingaben sind ungültig; `errors` nennt jedes Feld mit einer Meldung. Nichts wurde gespeichert."),
        ProblemType("too-large", 413, "Anfrage zu groß",
                    "Der Inhalt der Anfrage (ohne Dateien) überschreitet die zulässige Größe."),
        ProblemType("too-many-requests", 429, "Zu viele Versuche",
                    "Nach wiederholten Fehlversuchen ist die Anmeldung vorübergehend gesperrt."),
    )
}
_BY_STATUS = {p.status: p for p in PROBLEM_TYPES.values()}


def problem(request: HttpRequest, status: int, detail: str, *, errors: Iterable[Mapping[str, str]] = (),
            headers: Mapping[str, str] | None = None, **extensions: Any) -> HttpResponse:
    """Build one problem response (type and title follow the status); `extensions` become extra
    members such as `current_version`."""
    kind = _BY_STATUS.get(status)
    body: dict[str, Any] = {
        "type": kind.uri if kind else "about:blank",
        "title": kind.title if kind else "Fehler",
        "status": status,
        "detail": detail,
        "instance": request.path,
        "errors": [dict(e) for e in errors],
        **extensions,
    }
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False), status=status,
                            content_type=f"{PROBLEM_CONTENT_TYPE}; charset=utf-8")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_errors(mapping: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    return [{"field": field, "message": msg} for field, messages in mapping.items() for msg in messages]


# --- pydantic errors in German ------------------------------------------------------------------

_DATE_HINT = "erwartet ein gültiges Kalenderdatum im Format JJJJ-MM-TT, z. B. 2024-02-29"
_TIME = "Ungültiger Zeitpunkt: erwartet ISO 8601 mit Zeitzone, z. B. 2024-03-31T14:30:00+02:00."
_MESSAGES: dict[str, str] = {
    "missing": "Dieses Feld ist erforderlich.",
    "extra_forbidden": "Unbekanntes Feld.",
    "string_type": "Text erwartet.",
    "int_type": "Ganze Zahl erwartet.",
    "int_parsing": "Ganze Zahl erwartet.",
    "int_from_float": "Ganze Zahl erwartet.",
    "float_type": "Zahl erwartet.",
    "float_parsing": "Zahl erwartet.",
    "bool_type": "Wahrheitswert (true oder false) erwartet.",
    "bool_parsing": "Wahrheitswert (true oder false) erwartet.",
    "date_type": f"Ungültiges Datum: {_DATE_HINT}.",
    "date_parsing": f"Ungültiges Datum: {_DATE_HINT}.",
    "date_from_datetime_parsing": f"Ungültiges Datum: {_DATE_HINT}.",
    "date_from_datetime_inexact": f"Ungültiges Datum: {_DATE_HINT}.",
    "datetime_type": _TIME,
    "datetime_parsing": _TIME,
    "datetime_from_date_parsing": _TIME,
    "timezone_aware": "Der Zeitpunkt braucht eine Zeitzone, z. B. +02:00 oder Z.",
    "list_type": "Liste erwartet.",
    "model_type": "Objekt erwartet.",
    "model_attributes_type": "Objekt erwartet.",
    "dict_type": "Objekt erwartet.",
    "json_invalid": "Ungültiges JSON.",
    "string_too_short": "Zu kurz (mindestens {min_length} Zeichen).",
    "string_too_long": "Zu lang (höchstens {max_length} Zeichen).",
    "too_short": "Zu wenige Einträge (mindestens {min_length}).",
    "too_long": "Zu viele Einträge (höchstens {max_length}).",
    "greater_than_equal": "Der Wert muss mindestens {ge} sein.",
    "greater_than": "Der Wert muss größer als {gt} sein.",
    "less_than_equal": "Der Wert darf höchstens {le} sein.",
    "less_than": "Der Wert muss kleiner als {lt} sein.",
    "enum": "Unbekannter Wert (erlaubt: {expected}).",
    "literal_error": "Unbekannter Wert (erlaubt: {expected}).",
}


def german_message(error: Mapping[str, Any]) -> str:
    """A German message for one pydantic error; our own validators already speak German."""
    kind = str(error.get("type", ""))
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    if "expected" in ctx:  # pydantic lists choices in English ("'a', 'b' or 'c'")
        ctx["expected"] = str(ctx["expected"]).replace(" or ", ", ")
    template = _MESSAGES.get(kind)
    if template is None:
        return "Ungültiger Wert."
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def field_path(loc: Sequence[Any]) -> str:
    """`("body", "payload", "names", 0, "family_name")` → `names.0.family_name`.

    Ninja puts the parameter source first and, for a JSON body, the handler's parameter name
    second; neither means anything to a client.
    """
    source, *rest = loc or ("",)
    if source == "body" and rest:
        rest = rest[1:]
    return ".".join(str(part) for part in rest) or str(source)


def schema_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{"field": field_path(e.get("loc", ())), "message": german_message(e)} for e in errors]


def invalid_input_from_pydantic(errors: Iterable[Mapping[str, Any]]) -> InvalidInput:
    """For a body the handler validates itself (e.g. form-or-JSON): locations carry no source."""
    grouped: dict[str, list[str]] = {}
    for e in errors:
        field = ".".join(str(part) for part in e.get("loc", ())) or "body"
        grouped.setdefault(field, []).append(german_message(e))
    return InvalidInput(grouped)


# --- handlers -------------------------------------------------------------------------------------

def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = schema_errors(exc.errors)
    first = errors[0] if errors else {"field": "", "message": "Ungültige Eingabe."}
    detail = f"„{first['field']}“: {first['message']}"
    if len(errors) > 1:
        detail += f" (und {len(errors) - 1} weitere Fehler)"
    return problem(request, 422, detail, errors=errors)


def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if isinstance(exc, InvalidInput):
        return problem(request, exc.status, exc.message, errors=field_errors(exc.field_errors))
    if isinstance(exc, Conflict):
        return problem(request, exc.status, exc.message, current_version=exc.current_version,
                       changes=exc.changes)
    return problem(request, exc.status, exc.message)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        detail = exc.message if exc.message != AuthenticationError().message else (
            "Bitte mit einem gültigen Bearer-Token anmelden (POST /api/v1/auth/token).")
        return problem(request, 401, detail, headers={"WWW-Authenticate": 'Bearer realm="stella"'})
    if isinstance(exc, Throttled):
        headers = {"Retry-After": str(exc.wait)} if exc.wait else {}
        return problem(request, 429, "Zu viele Anfragen. Bitte später erneut versuchen.", headers=headers)
    detail = exc.message
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "Der Inhalt der Anfrage ist kein gültiges JSON."
    return problem(request, exc.status_code, detail)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, "Der Datensatz wurde nicht gefunden.")


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
    return problem(request, 413, f"Die Anfrage ist zu groß (höchstens {limit} KB ohne Dateien).")


# --- OpenAPI ------------------------------------------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details; 409 adds `current_version` and `changes`.",
    "required": ["type", "title", "status", "detail", "instance", "errors"],
    "properties": {
        "type": {"type": "string", "example": "/api/v1/problems/invalid-input"},
        "title": {"type": "string", "example": "Ungültige Eingabe"},
        "status": {"type": "integer", "example": 422},
        "detail": {"type": "string"},
        "instance": {"type": "string", "example": "/api/v1/persons"},
        "errors": {"type": "array", "items": {
            "type": "object", "required": ["field", "message"],
            "properties": {"field": {"type": "string", "example": "names.0.family_name"},
                           "message": {"type": "string", "example": "Dieses Feld ist erforderlich."}}}},
        "current_version": {"type": "integer"},
        "changes": {"type": "array", "items": {"type": "object"}},
    },
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem schema and the error answers every operation can give to an OpenAPI document,
    so that clients (and schema-based fuzzers) know them."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in schema.get("paths", {}).values():
        for method, operation in path.items():
            statuses = [400, 404, 422]
            if operation.get("security"):
                statuses += [401, 403]
            if method == "patch":
                statuses.append(409)
            if not operation.get("security") and method == "post":  # the token endpoint
                statuses += [401, 429]
            for status in statuses:
                kind = _BY_STATUS[status]
                operation.setdefault("responses", {}).setdefault(status, {"description": kind.title, "content": ref})
    return schema


def install(api: NinjaAPI) -> None:
    """Register the mapping on the API (replaces ninja's default JSON error bodies)."""
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(DomainError, _domain_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(RequestDataTooBig, _too_large)
