"""What the API clients do alike around their calls: lifecycle, observers and, for v3 and v2, the token."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from uatcert._http.exchange import Exchanges
from uatcert._http.token import TokenCache
from uatcert.events import Observer


class BaseClient:
    """A client whose requests all go through its `Exchanges`; a context manager that closes it."""

    _exchanges: Exchanges

    def close(self) -> None:
        """Close the connection pool (and the transport) and stop listening for lost responses."""
        self._exchanges.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add_observer(self, observer: Observer) -> None:
        """Also pass every later exchange to `observer`."""
        self._exchanges.add_observer(observer)


class TokenClient(BaseClient):
    """A client authenticated by an OAuth client-credentials token (v3, v2)."""

    _token: TokenCache

    def access_token(self) -> str:
        """The cached access token, fetched first if there is none or it is due for renewal."""
        return self._token.get()

    @property
    def token_fetches(self) -> int:
        """How many times a token was obtained from the token endpoint."""
        return self._token.fetches

    def expire_token_locally(self) -> None:
        """Forget the token's expiry: the next call fetches a new token."""
        self._token.forget_expiry()

    def _send_token(self, request: httpx.Request) -> httpx.Response:
        """Send a token request (its exchange says api "token")."""
        return self._exchanges.send(request, api="token")

    def _bearer(self) -> str:
        """The `Authorization` value of the current token."""
        return f"Bearer {self._token.get()}"
