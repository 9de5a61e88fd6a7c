"""The answers the proxy makes up itself (500 after commit, 429, 401), in each API's documented error model.

- v3 (reference §4.2, §9): `{"error": {"code": "<status>-<code>", "message": ...}}`; the codes of 401, 429
  and 5xx are UNDOCUMENTED, so the placeholders are the sandbox's (`401-F03` expired token, `429-F01`,
  `<status>-F01`).
- v2 (reference §4.2, §5.6): the `failed` envelope `{"meta": {"status": "failed", "messages": [{code, level,
  text}]}}`; a 5xx on Request Vouchers is `ERV1102` (documented: vouchers may exist, recover with the same
  X-Correlation-Id); the others use the reference's `SIM-` placeholders.
- AllSafe (reference §4.3, UNDOCUMENTED): `{"status", "title", "detail"}`; 401 adds
  `WWW-Authenticate: Basic realm="AllSafe"`.
- Token calls of v3 and v2 answer as an OAuth2 token endpoint does (RFC 6749 §5.2): `{"error": ...}`.
"""

from __future__ import annotations

import json
from typing import Any

from uatcert.proxy._routes import Route

_TITLES = {401: "Unauthorized", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}


def made_up(route: Route, status: int, *, retry_after_s: int | None = None,
            detail: str | None = None) -> tuple[dict[str, str], bytes]:
    """Headers and body of an answer with `status` for this route, as its API would give it."""
    headers = {"content-type": "application/json"}
    if retry_after_s is not None:
        headers["retry-after"] = str(retry_after_s)
    body: Any
    if route.token:
        body = {"error": "invalid_client" if status == 401 else
                "temporarily_unavailable" if status == 429 else "server_error"}
        if detail:
            body["error_description"] = detail
    elif route.api == "v3":
        body = {"error": _v3_error(status, detail)}
        if status == 401:
            headers["www-authenticate"] = 'Bearer error="invalid_token"'
    elif route.api == "v2":
        code, text = _v2_code(route, status)
        body = {"meta": {"status": "failed", "messages": [{"code": code, "level": "error", "text": detail or text}]}}
    else:
        body = {"status": status, "title": _TITLES.get(status, "Error"), "detail": detail or _allsafe_detail(status)}
        if status == 401:
            headers["www-authenticate"] = 'Basic realm="AllSafe"'
    content = json.dumps(body, separators=(",", ":")).encode()
    headers["content-length"] = str(len(content))
    return headers, content


def _v3_error(status: int, detail: str | None) -> dict[str, str]:
    if status == 401:
        return {"code": "401-F03", "message": detail or "access token has expired"}
    if status == 429:
        return {"code": "429-F01", "message": detail or "too many requests; retry after the Retry-After delay"}
    return {"code": f"{status}-F01", "message": detail or "internal server error"}


def _v2_code(route: Route, status: int) -> tuple[str, str]:
    if status == 401:
        return "SIM-AUTH-TOKEN", "missing, malformed, unknown or expired bearer token"
    if status == 429:
        return "SIM-RATE-LIMIT", "too many requests; retry after the Retry-After delay"
    if route.issuance:
        return "ERV1102", "internal failure or timeout during issuance; vouchers may exist: recover with the " \
                          "same X-Correlation-Id"
    return "SIM-ERROR", "internal server error"


def _allsafe_detail(status: int) -> str:
    if status == 401:
        return "Authentication failed."
    if status == 429:
        return "Too many requests; retry after the Retry-After delay."
    return "An internal error occurred."
