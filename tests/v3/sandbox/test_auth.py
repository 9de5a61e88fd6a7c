"""Token endpoint (client credentials) and bearer/scope checks on the v3 routes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.v3.sandbox.sandbox_support import FIXED, FULL, READONLY, Api, assert_error
from uatcert.sandbox import DEFAULT_CLIENT_ID


def _decode(part: str) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_token_ok_is_a_jwt_with_the_documented_claims(api: Api) -> None:
    response = api.token_response(FULL, scope="client_v3_uat/issue_vouchers client_v3_uat/read_catalogue")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    header, payload, signature = body["access_token"].split(".")
    assert _decode(header)["alg"] == "HS256"
    claims = _decode(payload)
    assert claims["sub"] == claims["client_id"] == DEFAULT_CLIENT_ID
    assert claims["token_use"] == "access"
    assert claims["scope"] == "client_v3_uat/issue_vouchers client_v3_uat/read_catalogue"
    assert claims["exp"] == claims["iat"] + 3600
    assert claims["version"] == 2
    assert claims["iss"] == api.srv.base_url
    assert len(claims["jti"]) == 36
    assert signature


def test_scope_omitted_grants_all_client_scopes_with_the_first_prefix(api: Api) -> None:
    claims = _decode(api.token_response(READONLY).json()["access_token"].split(".")[1])
    assert claims["scope"] == "client_v3_uat/read_catalogue client_v3_uat/read_vouchers"


def test_any_configured_prefix_is_accepted(api: Api) -> None:
    token = api.token(FULL, scope="client_v3_demo/read_catalogue")
    assert api.get("/products", token=token).status_code == 200


@pytest.mark.parametrize(
    ("auth", "form", "error"),
    [
        (("uatcert-sandbox", "wrong-secret"), {}, "invalid_client"),
        (("nobody", "whatever"), {}, "invalid_client"),
        (None, {}, "invalid_client"),
        (FULL, {"grant_type": "password"}, "unsupported_grant_type"),
        (FULL, {"grant_type": ""}, "invalid_request"),
        (READONLY, {"scope": "client_v3_uat/issue_vouchers"}, "invalid_scope"),
        (FULL, {"scope": "client_v3_prod/read_vouchers"}, "invalid_scope"),
        (FULL, {"scope": "read_vouchers"}, "invalid_scope"),
    ],
    ids=["bad-secret", "unknown-client", "no-basic", "bad-grant", "no-grant", "scope-not-allowed",
         "unknown-prefix", "no-prefix"],
)
def test_token_errors(api: Api, auth: tuple[str, str] | None, form: dict[str, str], error: str) -> None:
    response = api.token_response(auth, **form)
    assert response.status_code == 400
    assert response.json()["error"] == error


def test_token_body_not_a_form(api: Api) -> None:
    response = api.http.post(api.srv.token_url, auth=FULL, content=b"\xff\xfe", headers={"Content-Type": "x"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer \u00e9.\u00e9.\u00e9"],
    ids=["none", "empty-bearer", "basic", "garbage", "bad-signature", "non-ascii"],
)
def test_401_for_missing_or_bad_token(api: Api, authorization: str) -> None:
    headers = {"Authorization": authorization.encode("latin-1")} if authorization else {}
    response = api.http.get(api.srv.v3_base_url + "/products", headers=headers)
    assert response.status_code == 401
    assert error_code_of(response).startswith("401-")
    assert response.headers["www-authenticate"].startswith("Bearer")


def error_code_of(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_401_for_a_token_signed_by_another_sandbox(api: Api, start_sandbox: Callable[..., Api]) -> None:
    other = start_sandbox()
    assert_error(api.get("/products", token=other.token()), 401, "401-F02")


def test_401_after_tokens_expire_and_a_new_token_works(api: Api) -> None:
    old = api.token()
    assert api.get("/products", token=old).status_code == 200
    api.ctl.expire_tokens()
    assert_error(api.get("/products", token=old), 401, "401-F03")
    assert_error(api.issue(FIXED, {"quantity": 1}, token=old), 401, "401-F03")
    fresh = api.token_response(FULL).json()["access_token"]
    assert api.get("/products", token=fresh).status_code == 200


def test_401_when_ttl_has_passed(start_sandbox: Callable[..., Api]) -> None:
    sandbox = start_sandbox(token_ttl_s=0)
    assert sandbox.token_response(FULL).json()["expires_in"] == 0
    assert_error(sandbox.get("/products"), 401, "401-F03")


@pytest.mark.parametrize(
    ("scope", "method", "path"),
    [
        ("client_v3_uat/read_vouchers", "GET", "/products"),
        ("client_v3_uat/read_vouchers", "GET", f"/products/{FIXED}"),
        ("client_v3_uat/read_catalogue", "POST", f"/products/{FIXED}"),
        ("client_v3_uat/read_catalogue", "GET", "/vouchers/00000000-0000-4000-8000-000000000000"),
        ("client_v3_uat/read_catalogue", "GET", "/vouchers?id=00000000-0000-4000-8000-000000000000"),
    ],
)
def test_403_without_the_route_scope(api: Api, scope: str, method: str, path: str) -> None:
    token = api.token(FULL, scope=scope)
    if method == "POST":
        response = api.issue(FIXED, {"quantity": 1}, token=token)
    else:
        response = api.get(path, token=token)
    assert_error(response, 403, "403-F01")
    assert api.ctl.ledger() == []


def test_readonly_client_cannot_issue(api: Api) -> None:
    assert_error(api.issue(FIXED, {"quantity": 1}, auth=READONLY), 403, "403-F01")
    assert api.ctl.ledger() == []
