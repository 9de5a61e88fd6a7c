"""The typed, synchronous client of the UNIQREWARDS Client API v2."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import httpx

from uatcert._http.client import TokenClient
from uatcert._http.exchange import Api, CallState, Exchanges
from uatcert._http.issuance import IssuanceHooks, raw_issuance, refused_or_unknown
from uatcert._http.requests import batches, raw_headers, segment
from uatcert._http.retry import call_with_retry
from uatcert.events import IssuanceHook, IssueIntent, Observer
from uatcert.v2._checking import check_body, read_checked
from uatcert.v2._constants import (
    CORRELATION_ID_HEADER,
    DEFAULT_TIMEOUT_S,
    DEFAULT_TOKEN_REFRESH_MARGIN_S,
    DISTRIBUTION_MODE,
    MAX_REFS_PER_CHECK,
    PRODUCT_CLASS,
    REQUEST_ID_HEADERS,
    USER_AGENT,
    X_CLIENT_ID_HEADER,
    X_CLIENT_SECRET_HEADER,
)
from uatcert.v2._exceptions import ApiError, map_transport_error
from uatcert.v2._issuance import (
    check_quantity,
    issued_outcome,
    new_correlation_id,
    read_issuance,
    request_body,
    to_cents,
    to_face_value,
)
from uatcert.v2._models import CheckedVoucher, Issuance, TokenInfo
from uatcert.v2._parsing import read_answer
from uatcert.v2._retry import RetryPolicy
from uatcert.v2._token import TokenManager

_API = Api("v2", USER_AGENT, REQUEST_ID_HEADERS, map_transport_error)
_ISSUE_ROUTE = re.compile(r"/catalogs/[^/]+/product_assets/[^/]+/products/[^/]+/vouchers/actions/request")
"""Request Vouchers below the base URL (`POST`), also when a request is sent raw."""


class V2Client(TokenClient):
    """
    Client of the UNIQREWARDS Client API v2: typed results, typed errors, safe recovery.

        with V2Client(base_url, token_url, client_id, client_secret, x_client_id, x_client_secret) as client:
            issuance = client.request_vouchers("UNIVGROCERIESDYNAMIC01", "202208013226", 2, Decimal("61.72"))
            statuses = client.check_vouchers(issuance.settlement_refs)

    - `base_url` includes `/v2` (e.g. `https://api.demo.uniqrewards.com/v2`); `token_url` is the full
      URL of `/v2/connect/token`.
    - The token (`client_id`/`client_secret`, reference §3) is fetched on first use, reused while it has
      more than `token_refresh_margin_s` to live, and renewed once if a call gets 401. Voucher calls
      carry the bearer token *and* `X-Client-Id`/`X-Client-Secret`.
    - `request_vouchers()` makes one X-Correlation-Id per logical issuance, before its first attempt,
      and sends the identical request on every retry (timeouts, disconnections, 5xx incl. `ERV1102` /
      `ERV1202`, 408/409/429, unparseable answers; see `RetryPolicy`).
    - Every HTTP exchange, token requests included, is passed to each observer as an `Exchange`
      (api "v2"; token requests "token"); `issuance=True` on every Request Vouchers attempt, a raw
      `send` POST to its path included (never Check Vouchers). Observers must not raise.
    - `issuance_hooks` hear `before` once per issuance (raising there refuses it: nothing is sent) and
      `after` once at the end. The intent's `face_value` is in cents (61.72 -> 6172), currency SGD.
    - A transport with an `on_lost` listener list (`uatcert.faults.FaultTransport`) tells the client
      about answers it dropped, so their real status and body reach the observers.
    """

    _token: TokenManager

    def __init__(
        self,
        base_url: str,
        token_url: str,
        client_id: str,
        client_secret: str,
        x_client_id: str,
        x_client_secret: str,
        *,
        scope: str | None = None,
        product_class: str = PRODUCT_CLASS,
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
        self.x_client_id = x_client_id
        self._x_client_secret = x_client_secret
        self.product_class = product_class
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
            scope=scope,
            clock=clock,
            refresh_margin_s=token_refresh_margin_s,
            http=self._http,
            send=self._send_token,
        )

    def __repr__(self) -> str:
        return (
            f"V2Client(base_url={self.base_url!r}, token_url={self.token_url!r}, client_id={self.client_id!r}, "
            f"x_client_id={self.x_client_id!r})"
        )

    # -- token -----------------------------------------------------------------------------------

    @property
    def token_info(self) -> TokenInfo | None:
        """`expires_in`, `token_type` and `scope` of the last token response (None before the first)."""
        return self._token.info

    # -- paths -----------------------------------------------------------------------------------

    def issue_path(self, product_code: str, order_number: str, product_class: str | None = None) -> str:
        """Path of Request Vouchers, relative to the base URL (reference §5.2)."""
        return (
            f"/catalogs/{segment(product_class or self.product_class, 'product class')}"
            f"/product_assets/{segment(order_number, 'order number')}"
            f"/products/{segment(product_code, 'product code')}/vouchers/actions/request"
        )

    def check_path(self, product_class: str | None = None) -> str:
        """Path of Check Vouchers, relative to the base URL (reference §6.1)."""
        return f"/catalogs/{segment(product_class or self.product_class, 'product class')}/vouchers/actions/check"

    # -- issuance --------------------------------------------------------------------------------

    def request_vouchers(
        self,
        product_code: str,
        order_number: str,
        quantity: int,
        face_value: Decimal | int | str | None = None,
        *,
        correlation_id: str | None = None,
        distribution_mode: str = DISTRIBUTION_MODE,
    ) -> Issuance:
        """
        Request Vouchers: issue `quantity` (1..20) vouchers of a catalogue product under its order number.

        `face_value` (SGD dollars, dynamic value-based products only) is checked and sent with two
        decimals; a float, a bad amount or a quantity outside 1..20 raises before anything is sent (use
        `send` to send invalid requests on purpose). The X-Correlation-Id is the one passed, else a new
        UUID4; it is the same on every attempt. The final error of a failed issuance carries `attempts`
        and `correlation_id`.
        """
        check_quantity(quantity)
        amount = to_face_value(face_value) if face_value is not None else None
        path = self.issue_path(product_code, order_number)
        key = correlation_id if correlation_id is not None else new_correlation_id()
        if not key:
            raise ValueError("correlation_id must not be empty")
        content = request_body(quantity, amount, distribution_mode)
        intent = IssueIntent(
            api="v2",
            idempotency_key=key,
            product_code=product_code,
            quantity=quantity,
            face_value=to_cents(amount) if amount is not None else None,
            currency="SGD" if amount is not None else None,
            base_url=self.base_url,
            token_url=self.token_url,
            order_number=order_number,
            product_class=self.product_class,
            client_id=self.x_client_id,
        )
        state = CallState(key=key)

        def call() -> Issuance:
            response, body = self._call(
                "POST", path, state, content=content,
                headers={CORRELATION_ID_HEADER: key, "Content-Type": "application/json"}, issuance=True,
            )
            return read_issuance(response, body, state, self.product_class, order_number, amount, intent)

        return self._hooks.run(
            intent, state, call,
            succeeded=lambda issuance: issued_outcome(intent, issuance),
            failed=lambda error: refused_or_unknown(intent, state, error),
        )

    # -- status ----------------------------------------------------------------------------------

    def check_vouchers(self, refs: Sequence[str]) -> list[CheckedVoucher]:
        """
        Check Vouchers: the vouchers asked for, in the order asked, however many.

        Refs are sent in batches of at most 20 (the reference's proposal; duplicates sent once) and the
        answers matched by `voucher_settlement_ref`, whatever order the server used. A ref missing from
        a successful answer raises `ResponseValidationError`.
        """
        if isinstance(refs, str):
            raise TypeError("refs must be a sequence of settlement refs, not one string")
        unique = list(dict.fromkeys(refs))
        found: dict[str, CheckedVoucher] = {}
        for batch in batches(unique, MAX_REFS_PER_CHECK):
            response, body = self._call("POST", self.check_path(), CallState(), content=check_body(batch),
                                        headers={"Content-Type": "application/json"})
            found.update(read_checked(response, body, batch))
        return [found[ref] for ref in refs]

    # -- raw -------------------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str | None] | None = None,
        content: str | bytes | None = None,
        json: Any = None,
        authenticate: bool = True,
        client_headers: bool = True,
    ) -> httpx.Response:
        """
        Send one raw request, for negative tests: no retry, no token renewal, no raising on failures.
        On the Request Vouchers route it is announced to the issuance hooks (`raw_sending`) before it leaves.

        The bearer token is added when `authenticate`, and X-Client-Id/X-Client-Secret when
        `client_headers`, unless `headers` names them; a header given as None is left out. `content`
        without a Content-Type is sent as JSON. The exchange reaches the observers; network trouble
        still raises `ApiConnectionError`/`ApiTimeoutError`.
        """
        bearer = self._bearer if authenticate else None
        client_keys = {X_CLIENT_ID_HEADER: self.x_client_id, X_CLIENT_SECRET_HEADER: self._x_client_secret}
        merged = raw_headers(
            headers, authorization=bearer, json_body=content is not None or json is not None,
            extra=client_keys if client_headers else None,
        )
        request = self._http.build_request(method, path, headers=merged, content=content, json=json)
        key = request.headers.get(CORRELATION_ID_HEADER)
        issuance = self._exchanges.is_route(request, "POST", _ISSUE_ROUTE)
        if issuance:  # on the ledger before it leaves, like every issuance
            named = {name.lower() for name in headers or {}}
            own = authenticate and client_headers and not named & {
                "authorization", X_CLIENT_ID_HEADER.lower(), X_CLIENT_SECRET_HEADER.lower()}
            self._hooks.announce_raw(raw_issuance("v2", request, self.base_url, key=key, own_credentials=own,
                                                  token_url=self.token_url, client_id=self.x_client_id))
        return self._exchanges.send(request, idempotency_key=key, issuance=issuance)

    # -- one logical call, its attempts, and one HTTP exchange ------------------------------------

    def _call(
        self, method: str, path: str, state: CallState, *, content: bytes, headers: Mapping[str, str],
        issuance: bool = False,
    ) -> tuple[httpx.Response, Any]:
        """
        One logical call through the retry loop: a succeeded answer and its decoded body, else the last
        error (with attempts).
        """

        def attempt(_: int) -> tuple[httpx.Response, Any]:
            return self._attempt(method, path, state, content=content, headers=headers, issuance=issuance)

        policy = self.retry_policy
        return call_with_retry(
            attempt, policy=policy, retryable=policy.should_retry, error_type=ApiError, sleep=self._sleep, state=state
        )

    def _attempt(
        self, method: str, path: str, state: CallState, *, content: bytes, headers: Mapping[str, str], issuance: bool
    ) -> tuple[httpx.Response, Any]:
        """
        One attempt: one request, plus one resend with a renewed token if it got the call's first 401.
        A success comes back with its body, decoded once.
        """

        def send(token: str) -> httpx.Response:
            request = self._http.build_request(
                method, path, content=content,
                headers={
                    **headers,
                    "Authorization": f"Bearer {token}",
                    X_CLIENT_ID_HEADER: self.x_client_id,
                    X_CLIENT_SECRET_HEADER: self._x_client_secret,
                },
            )
            return self._exchanges.attempt(request, state, issuance=issuance)

        return read_answer(self._token.authorised(state, send), state)
