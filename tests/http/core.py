"""A made-up API wired to the shared `_http` core, so the core is tested once, without any real client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from uatcert._http.errors import (
    BodyInvalid,
    ClientError,
    ConnectionFailure,
    StatusFailure,
    TokenRefused,
    wrap_transport_error,
)
from uatcert._http.exchange import Api, Exchanges
from uatcert._http.headers import request_id_of
from uatcert._http.parsing import BodyReader
from uatcert._http.token import TokenCache
from uatcert.events import Observer

BASE_URL = "https://core.test.invalid/api"
TOKEN_URL = "https://core.test.invalid/token"
REQUEST_ID_HEADERS = ("x-request-id", "request-id")


class DemoError(ClientError):
    key: str | None = None

    def record_call(self, attempts: int, key: str | None) -> None:
        super().record_call(attempts, key)
        self.key = key


class DemoConnectionError(DemoError, ConnectionFailure):
    pass


class DemoTimeoutError(DemoConnectionError):
    pass


class DemoStatusError(DemoError, StatusFailure):
    def __init__(self, response: httpx.Response, message: str | None = None) -> None:
        super().__init__(f"-> {response.status_code}", response=response,
                         request_id=request_id_of(response, REQUEST_ID_HEADERS), message=message)


class DemoInvalid(DemoError, BodyInvalid):
    pass


class DemoTokenError(DemoError, TokenRefused):
    pass


def wrap(exc: httpx.RequestError) -> DemoConnectionError:
    return wrap_transport_error(exc, connection=DemoConnectionError, timeout=DemoTimeoutError)


API = Api("demo", "uatcert-demo-client", REQUEST_ID_HEADERS, wrap)
BODY = BodyReader(DemoInvalid, list_keys=("data", "items"), object_keys=("data", "item"), nested_data=True)


def exchanges(
    handler: Callable[[httpx.Request], httpx.Response] | httpx.BaseTransport,
    *,
    observers: list[Observer] | None = None,
    clock: Callable[[], float] = lambda: 0.0,
) -> Exchanges:
    """The core's `Exchanges` over a mock handler (or a given transport)."""
    transport = handler if isinstance(handler, httpx.BaseTransport) else httpx.MockTransport(handler)
    return Exchanges(API, base_url=BASE_URL, timeout=httpx.Timeout(5.0), transport=transport,
                     observers=observers or [], clock=clock)


class DemoToken(TokenCache):
    """A token cache whose token request is a bare form POST; refusals read `error`/`error_description`."""

    refused_error = DemoTokenError
    invalid_error = DemoInvalid
    default_expires_in_s = 3600.0

    def build_request(self) -> httpx.Request:
        return self._http.build_request("POST", self._token_url, data={"grant_type": "client_credentials"})

    def oauth_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        body: Any = response.json() if response.content else {}
        return (body.get("error"), body.get("error_description")) if isinstance(body, dict) else (None, None)

    def status_error(self, response: httpx.Response) -> Exception:
        return DemoStatusError(response)

    def decode_json(self, response: httpx.Response) -> Any:
        return BODY.decode_json(response)
