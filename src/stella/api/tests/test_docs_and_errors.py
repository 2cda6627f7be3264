"""OpenAPI and the offline docs page; the shape of problem documents."""

from __future__ import annotations

import re

import pytest

from stella.api.errors import PROBLEM_TYPES, field_path, german_message
from stella.api.tests.conftest import ApiClient, problem, token_for


def test_openapi_json(db):
    response = ApiClient().get("/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["info"]["title"] == "Stella API"
    assert "/api/v1/persons/{person_id}/sections/{category}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', response.content.decode()))
    assert refs and refs <= set(spec["components"]["schemas"])
    token_body = spec["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]
    assert set(token_body) == {"application/json", "application/x-www-form-urlencoded"}
    assert token_body["application/json"]["schema"]["required"] == ["username", "password"]


def test_docs_page_loads_nothing_from_outside(db):
    client = ApiClient()
    response = client.get("/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html), html
    assert not re.search(r"https?://", html), html
    assets = re.findall(r"""(?:src|href)="(/api/v1/docs/assets/[^"]+)\"""", html)
    assert len(assets) == 4
    for url in assets:
        asset = client.client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content)
    assert client.client.get("/api/v1/docs/assets/redoc.standalone.js.map").status_code == 404
    assert client.client.get("/api/v1/docs/assets/..%2Fstatic%2Fninja%2Fswagger-ui.css").status_code == 404


def test_swagger_validator_is_off(db):
    assert '"validatorUrl": null' in ApiClient().get("/docs").content.decode()


@pytest.mark.parametrize("slug", sorted(PROBLEM_TYPES))
def test_problem_types_are_documented(db, slug):
    response = ApiClient().get(f"/problems/{slug}")
    assert response.status_code == 200
    assert response.json()["type"] == f"/api/v1/problems/{slug}"


def test_unknown_problem_type_is_a_problem_too(db):
    problem(ApiClient().get("/problems/gibt-es-nicht"), 404)


def test_malformed_json_is_400(make_user):
    client = ApiClient(token_for(make_user("JC", "caseworker")))
    response = client.client.post("/api/v1/persons", "{kein json", content_type="application/json",
                                  headers=client.headers)
    assert problem(response, 400)["detail"] == "Der Inhalt der Anfrage ist kein gültiges JSON."


@pytest.mark.parametrize("loc, expected", [
    (("body", "payload", "names", 0, "family_name"), "names.0.family_name"),
    (("body", "payload"), "body"),
    (("query", "limit"), "limit"),
    (("path", "person_id"), "person_id"),
    (("form", "title"), "title"),
])
def test_field_path(loc, expected):
    assert field_path(loc) == expected


@pytest.mark.parametrize("error, expected", [
    ({"type": "missing"}, "Dieses Feld ist erforderlich."),
    ({"type": "less_than_equal", "ctx": {"le": 100}}, "Der Wert darf höchstens 100 sein."),
    ({"type": "enum", "ctx": {"expected": "'lead' or 'contributing'"}}, "Unbekannter Wert (erlaubt: 'lead', 'contributing')."),
    ({"type": "value_error", "msg": "Value error, Ungültig.", "ctx": {"error": "Ungültig."}}, "Ungültig."),
    ({"type": "something_new", "msg": "Whatever"}, "Ungültiger Wert."),
])
def test_german_messages(error, expected):
    assert german_message(error) == expected


def test_openapi_documents_problem_answers(db):
    spec = ApiClient().get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    patch = spec["paths"]["/api/v1/persons/{person_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "409", "422"} <= set(patch)
    assert "application/problem+json" in patch["409"]["content"]
    assert {"401", "429"} <= set(spec["paths"]["/api/v1/auth/token"]["post"]["responses"])


def test_oversized_json_body_is_413(make_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = ApiClient(token_for(make_user("JC", "caseworker")))
    body = problem(client.post("/persons", {"names": [{"family_name": "x" * 2000}]}), 413)
    assert "zu groß" in body["detail"]
