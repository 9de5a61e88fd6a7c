"""The typed, synchronous client of the UNIQREWARDS Client API v3."""

from __future__ import annotations

import json as _json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from uatcert._http.client import TokenClient
from uatcert._http.exchange import Api, CallState, Exchanges
from uatcert._http.issuance import IssuanceHooks, raw_issuance, refused_or_unknown
from uatcert._http.requests import batches, raw_headers, segment
from uatcert._http.retry import call_with_retry
from uatcert.events import IssuanceHook, IssueIntent, Observer
from uatcert.v3._constants import (
    AMBIGUOUS_STATUSES,
    DEFAULT_SCOPE_PREFIX,
    DEFAULT_SCOPES,
    DEFAULT_TIMEOUT_S,
    DEFAULT_TOKEN_REFRESH_MARGIN_S,
    IDEMPOTENCY_KEY_HEADER,
    MAX_IDS_PER_BATCH,
    MAX_QUANTITY,
    MIN_QUANTITY,
    REQUEST_ID_HEADERS,
    USER_AGENT,
)
from uatcert.v3._exceptions import ApiError, ResponseValidationError, make_status_error, map_transport_error
from uatcert.v3._issuance import issued_outcome, new_idempotency_key, read_issuance
from uatcert.v3._models import Issuance, Product, Voucher
from uatcert.v3._parsing import BODY, parse_error_body
from uatcert.v3._retry import RetryPolicy
from uatcert.v3._token import TokenManager

_API = Api("v3", USER_AGENT, REQUEST_ID_HEADERS, map_transport_error)
_ISSUE_ROUTE = re.compile(r"/products/[^/]+")
"""The issuance route below the base URL (`POST /products/{code}`), also when a request is sent raw."""


class V3Client(TokenClient):
    """
    Client of the UNIQREWARDS Client API v3: typed results, typed errors, safe retries.

        with V3Client(base_url, token_url, client_id, client_secret) as client:
            product = client.products()[0]
            issuance = client.issue(product.code, 2, face_value=5000)
            statuses = client.vouchers(issuance.voucher_ids)

    - The token (client credentials, reference §3.2) is fetched on first use, reused while it has more
      than `token_refresh_margin_s` to live (on the injected `clock`), and renewed once if a call gets 401.
    - `issue()` makes one idempotency key per logical issuance, before its first attempt, and sends it on
      every retry (connection errors, timeouts, 409, 429, 5xx; see `RetryPolicy`). Reads retry the same way.
    - Every HTTP exchange, token requests included, is passed to each observer as an `Exchange`;
      `issuance=True` on every issuance attempt, a raw `send` POST to `/products/{code}` included.
      Observers must not raise; if one does, the error is logged at DEBUG level and ignored.
    - `issuance_hooks` hear `before` once per issuance (raising there refuses it: nothing is sent) and
      `after` once at the end, whatever happened.
    - A transport with an `on_lost` listener list (e.g. `uatcert.faults.FaultTransport`) tells the client
      about answers it dropped, so their real status and body reach the observers.
    """

    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope_prefix: str = DEFAULT_SCOPE_PREFIX,
        scopes: Sequence[str] = DEFAULT_SCOPES,
        timeout: float = DEFAULT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        observers: Sequence[Observer] = (),
        issuance_hooks: Sequence[IssuanceHook] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        token_refresh_margin_s: float = DEFAULT_TOKEN_REFRESH_MARGIN_S,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url
        self.client_id = client_id
        self.retry_policy = retry if retry is not None else RetryPolicy()
        self._hooks = IssuanceHooks(issuance_hooks)
        self._sleep = sleep
        self._exchanges = Exchanges(
            _API, base_url=self.base_url, timeout=httpx.Timeout(timeout), transport=transport, observers=observers,
            clock=clock,
        )
        self._http = self._exchanges.http
        self._token = TokenManager(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            scope=" ".join(f"{scope_prefix}{name}" for name in scopes),
            clock=clock,
            refresh_margin_s=token_refresh_margin_s,
            http=self._http,
            send=self._send_token,
        )

    def __repr__(self) -> str:
        return f"V3Client(base_url={self.base_url!r}, token_url={self.token_url!r}, client_id={self.client_id!r})"

    # -- catalogue -------------------------------------------------------------------------------

    def products(self) -> list[Product]:
        """`GET /products`: the caller's catalogue (a 404 — empty catalogue — raises `NotFoundError`)."""
        return BODY.read_list(Product, self._call("GET", "/products", CallState()))

    def product(self, code: str) -> Product:
        """`GET /products/{code}`: one product."""
        response = self._call("GET", f"/products/{segment(code, 'product code')}", CallState())
        return BODY.read_object(Product, response)

    # -- issuance --------------------------------------------------------------------------------

    def issue(
        self,
        code: str,
        quantity: int,
        face_value: int | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> Issuance:
        """
        `POST /products/{code}`: issue `quantity` vouchers (1..20) with one idempotency key, retrying safely.

        A quantity outside 1..20 raises `ValueError` before anything is sent (use `send` to send invalid
        requests on purpose). `face_value` (cents) is sent only when given. The key is the one passed, else
        a new UUID4; it is the same on every attempt. The final error of a failed issuance carries
        `attempts` and `idempotency_key`.
        """
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError("quantity must be an integer")
        if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
            raise ValueError(f"quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY}, got {quantity}")
        path = f"/products/{segment(code, 'product code')}"
        key = idempotency_key if idempotency_key is not None else new_idempotency_key()
        payload: dict[str, int] = {"quantity": quantity}
        if face_value is not None:
            payload["face_value"] = face_value
        content = _json.dumps(payload, separators=(",", ":")).encode()
        intent = IssueIntent(
            api="v3", idempotency_key=key, product_code=code, quantity=quantity, face_value=face_value,
            base_url=self.base_url, token_url=self.token_url, client_id=self.client_id,
        )
        state = CallState(key=key)

        def call() -> Issuance:
            response = self._call(
                "POST",
                path,
                state,
                content=content,
                headers={IDEMPOTENCY_KEY_HEADER: key, "Content-Type": "application/json"},
                issuance=True,
            )
            return read_issuance(response, intent, state)

        return self._hooks.run(
            intent,
            state,
            call,
            succeeded=lambda issuance: issued_outcome(intent, issuance),
            failed=lambda error: refused_or_unknown(intent, state, error),
        )

    # -- vouchers --------------------------------------------------------------------------------

    def voucher(self, voucher_id: str) -> Voucher:
        """`GET /vouchers/{id}`: the current state of one voucher."""
        response = self._call("GET", f"/vouchers/{segment(voucher_id, 'voucher id')}", CallState())
        return BODY.read_object(Voucher, response)

    def vouchers(self, ids: Sequence[str]) -> list[Voucher]:
        """
        `GET /vouchers?id=...`: the vouchers asked for, in the order asked, however many.

        Ids are sent in batches of at most 20 (duplicates sent once); answers are matched by `voucher_id`,
        whatever order the server used. An id missing from a 200 answer raises `ResponseValidationError`.
        """
        if isinstance(ids, str):
            raise TypeError("ids must be a sequence of voucher ids, not one string")
        unique = list(dict.fromkeys(ids))
        found: dict[str, Voucher] = {}
        for batch in batches(unique, MAX_IDS_PER_BATCH):
            query = ",".join(quote(voucher_id, safe="") for voucher_id in batch)
            response = self._call("GET", f"/vouchers?id={query}", CallState())
            path, items = BODY.locate_list(BODY.decode_json(response), response)
            by_id = {_id_key(v.voucher_id): v for v in BODY.validate_list(Voucher, items, path, response)}
            missing = [voucher_id for voucher_id in batch if _id_key(voucher_id) not in by_id]
            if missing:
                raise ResponseValidationError(
                    f"GET /vouchers -> {response.status_code}: {len(missing)} of {len(batch)} ids asked "
                    "are missing from the answer",
                    errors=[(path, f"voucher {voucher_id} missing") for voucher_id in missing],
                    response=response,
                )
            found.update({voucher_id: by_id[_id_key(voucher_id)] for voucher_id in batch})
        return [found[voucher_id] for voucher_id in ids]

    # -- raw -------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: str | bytes | None = None,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        authenticate: bool = True,
    ) -> httpx.Response:
        """
        Send one raw request, for negative tests: no retry, no token renewal, no raising on error statuses.
        On the issuance route it is announced to the issuance hooks (`raw_sending`) before it leaves.

        The bearer token is added when `authenticate` and no `Authorization` header was given; `content`
        without a `Content-Type` header is sent as `application/json`. The exchange reaches the observers.
        Network trouble still raises `ApiConnectionError`/`ApiTimeoutError` (there is no response to return).
        """
        bearer = self._bearer if authenticate else None
        merged = raw_headers(headers, authorization=bearer, json_body=content is not None)
        request = self._http.build_request(method, path, headers=merged, content=content, json=json, params=params)
        key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
        issuance = self._exchanges.is_route(request, "POST", _ISSUE_ROUTE)
        if issuance:  # on the ledger before it leaves, like every issuance
            own = authenticate and not any(name.lower() == "authorization" for name in headers or {})
            self._hooks.announce_raw(raw_issuance("v3", request, self.base_url, key=key, own_credentials=own,
                                                  token_url=self.token_url, client_id=self.client_id))
        return self._exchanges.send(request, idempotency_key=key, issuance=issuance)

    # -- one logical call, its attempts, and one HTTP exchange ------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        state: CallState,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        issuance: bool = False,
    ) -> httpx.Response:
        """One logical call through the retry loop; a 2xx response, else the last error (with attempts)."""

        def attempt(_: int) -> httpx.Response:
            return self._attempt(method, path, state, content=content, headers=headers or {}, issuance=issuance)

        policy = self.retry_policy
        return call_with_retry(
            attempt, policy=policy, retryable=policy.should_retry, error_type=ApiError, sleep=self._sleep, state=state
        )

    def _attempt(
        self,
        method: str,
        path: str,
        state: CallState,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
        issuance: bool,
    ) -> httpx.Response:
        """One attempt: one request, plus one resend with a renewed token if it got the call's first 401."""

        def send(token: str) -> httpx.Response:
            request = self._http.build_request(
                method, path, content=content, headers={**headers, "Authorization": f"Bearer {token}"}
            )
            return self._exchanges.attempt(request, state, issuance=issuance)

        response = self._token.authorised(state, send)
        if response.is_success:
            return response
        if response.status_code >= 500 or response.status_code in AMBIGUOUS_STATUSES:
            state.ambiguous = True
        raise make_status_error(response, parse_error_body(response))


def _id_key(voucher_id: str) -> str:
    """Voucher id normalised for matching (UUIDs compare case- and format-independently)."""
    try:
        return str(uuid.UUID(voucher_id))
    except ValueError:
        return voucher_id.lower()

