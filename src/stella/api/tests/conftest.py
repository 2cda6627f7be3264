"""API test helpers: a JSON client that sends a bearer token, and tokens for fixture users."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from stella.accounts.models import User
from stella.accounts.services import issue_token

BASE = "/api/v1"


class ApiClient:
    """Thin wrapper over Django's test client: JSON bodies, bearer token, paths relative to /api/v1."""

    def __init__(self, token: str | None = None, purpose: str = "") -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        if purpose:
            self.headers["X-Purpose"] = purpose

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        return getattr(self.client, method)(BASE + path, json.dumps(body), content_type="application/json",
                                            headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self._send("patch", path, body)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(BASE + path, data, headers=self.headers)


def token_for(user: User) -> str:
    return issue_token(user=user)[1]


@pytest.fixture
def as_user():
    """`as_user(user)` → an ApiClient authenticated as that user."""

    def _client(user: User, purpose: str = "") -> ApiClient:
        return ApiClient(token_for(user), purpose)

    return _client


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert a problem document with the given status and return it."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance", "errors"} <= set(body)
    return body


def fields(body: dict[str, Any]) -> set[str]:
    return {e["field"] for e in body["errors"]}
