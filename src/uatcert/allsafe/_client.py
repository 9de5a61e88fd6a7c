"""The typed, synchronous client of the AllSafe Redemption API (availability and allocation)."""

from __future__ import annotations

import base64
import ipaddress
import json as _json
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx

from uatcert._http.client import BaseClient
from uatcert._http.exchange import Api, CallState, Exchanges
from uatcert._http.issuance import IssuanceHooks, raw_issuance
from uatcert._http.requests import raw_headers
from uatcert._http.retry import call_with_retry
from uatcert.allsafe._allocation import allocated_outcome, connection_lost, failed_outcome, read_allocation
from uatcert.allsafe._constants import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_CURRENCY,
    DEFAULT_TIMEOUT_S,
    REQUEST_ID_HEADERS,
    USER_AGENT,
)
from uatcert.allsafe._contract import AllSafeContract
from uatcert.allsafe._error_mapping import make_status_error, map_transport_error
from uatcert.allsafe._exceptions import (
    AllSafeConnectionError,
    AllSafeError,
    AllSafeStatusError,
)
from uatcert.allsafe._models import (
    Allocation,
    Availability,
    VoucherType,
    as_decimal,
    value_json,
    value_text,
)
from uatcert.allsafe._parsing import BODY
from uatcert.allsafe._retry import RetryPolicy
from uatcert.events import IssuanceHook, IssueIntent, Observer

_API = Api("allsafe", USER_AGENT, REQUEST_ID_HEADERS, map_transport_error)


def new_reference() -> str:
    """A fresh client reference for an allocation: a random (version 4) UUID."""
    return str(uuid.uuid4())


def is_loopback(url: str) -> bool:
    """True when the URL's host is a loopback address or `localhost`."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """`url` without a trailing slash; ValueError unless it is https, or plain http on a loopback host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"the AllSafe base URL must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback(url):
        raise ValueError(
            f"the AllSafe base URL {url!r} is plain http: HTTP Basic credentials must not travel unencrypted "
            "(use https; plain http is accepted only on a loopback address)"
        )
    return url.rstrip("/")


class AllSafeClient(BaseClient):
    """
    Client of the AllSafe Redemption API: typed results, one typed error per documented status.

        with AllSafeClient(base_url, username, password) as client:
            kinds = client.availability().available
            allocation = client.allocate(kinds[0].vendor, kinds[0].value)

    - HTTP Basic credentials are sent pre-emptively on every request (the API sends no documented challenge).
    - `availability()` treats `204`, `200 []` and `492` alike as "nothing available", and retries what is
      safe to retry (connection errors, timeouts, 5xx, 429).
    - `allocate()` makes one client reference per allocation (sent in the `reference` field of the
      proposed contract) and is never retried once the request may have reached the provider: an
      unknown outcome raises `ReconciliationRequired`.
    - Every exchange goes to the observers as an `Exchange` (api "allsafe"); `issuance_hooks` hear each
      allocation before it is sent and after it ended, like v3 issuances (outcome "unknown" = reconcile).
    - Paths, method and field names come from an `AllSafeContract` (the allocate call is UNDOCUMENTED);
      so only the client can tell an allocation: its exchanges (a raw `send` with the contract's
      method and path included) carry `issuance=True`.
    """

    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        *,
        contract: AllSafeContract | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
        observers: Sequence[Observer] = (),
        issuance_hooks: Sequence[IssuanceHook] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        currency: str | None = DEFAULT_CURRENCY,
    ) -> None:
        if not isinstance(username, str) or not username or ":" in username:
            raise ValueError("the AllSafe username must be non-empty and cannot contain ':' (HTTP Basic)")
        self.base_url = check_base_url(base_url)
        self.username = username
        self.contract = contract if contract is not None else AllSafeContract()
        self.retry_policy = retry if retry is not None else RetryPolicy()
        self.currency = currency
        self._authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._hooks = IssuanceHooks(issuance_hooks, what="allocation")
        self._sleep = sleep
        self._exchanges = Exchanges(
            _API, base_url=self.base_url, timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            transport=transport, observers=observers, clock=clock,
        )
        self._allocate_route = re.compile(re.escape(self.contract.allocate_path))
        self._http = self._exchanges.http

    def __repr__(self) -> str:
        return f"AllSafeClient(base_url={self.base_url!r}, username={self.username!r})"

    # -- availability ----------------------------------------------------------------------------

    def availability(self) -> Availability:
        """
        The campaign's voucher types with what is left. `204`, `200 []` and `492` all mean "nothing
        available" (see `Availability.form`); 401 and 491 raise their typed errors.
        """
        state = CallState()

        def attempt(_: int) -> Availability:
            response = self._attempt("GET", self.contract.availability_path, state)
            return self._read_availability(response, state)

        policy = self.retry_policy
        return call_with_retry(
            attempt, policy=policy, retryable=policy.should_retry_read, error_type=AllSafeError, sleep=self._sleep,
            state=state,
        )

    @staticmethod
    def _read_availability(response: httpx.Response, state: CallState) -> Availability:
        status = response.status_code
        if status == 204:
            return Availability((), "no_content", status, state.attempts)
        if status == 492:
            return Availability((), "no_vouchers", status, state.attempts)
        if not 200 <= status < 300:
            raise make_status_error(response)
        types = BODY.read_list(VoucherType, response)
        return Availability(tuple(types), "list" if types else "empty_list", status, state.attempts)

    # -- allocation ------------------------------------------------------------------------------

    def allocate(
        self, vendor: str, value: int | float | Decimal | str, *, reference: str | None = None
    ) -> Allocation:
        """
        Allocate one voucher of `vendor` and `value`.

        A vendor that is not a non-empty string or a value that is not a positive number raises
        `ValueError` before anything is sent (use `send` to send invalid requests on purpose). The
        reference is the one passed, else a new UUID4; it is the ledger's key for the allocation.
        Documented refusals raise their typed errors; an unknown outcome raises `ReconciliationRequired`.
        """
        if not isinstance(vendor, str) or not vendor:
            raise ValueError("vendor must be a non-empty string")
        amount = as_decimal(value)
        if amount <= 0:
            raise ValueError(f"value must be greater than 0, got {value_text(amount)}")
        ref = reference if reference is not None else new_reference()
        fields: dict[str, Any] = {self.contract.vendor_field: vendor, self.contract.value_field: value_json(amount)}
        if self.contract.reference_field:
            fields[self.contract.reference_field] = ref
        intent = IssueIntent(
            api="allsafe",
            idempotency_key=ref,
            product_code=vendor,
            quantity=1,
            face_value=int(amount) if amount == amount.to_integral_value() else None,
            currency=self.currency,
            base_url=self.base_url,
            client_id=self.username,
        )
        state = CallState(key=ref)
        return self._hooks.run(
            intent, state, lambda: self._allocate(vendor, amount, ref, fields, state),
            succeeded=lambda allocation: allocated_outcome(intent, allocation),
            failed=lambda error: failed_outcome(intent, state, error),
        )

    def _allocate(
        self, vendor: str, value: Decimal, ref: str, fields: dict[str, Any], state: CallState
    ) -> Allocation:
        method, path = self.contract.allocate_method, self.contract.allocate_path
        if method == "GET":
            params = {name: str(item) for name, item in fields.items()}
            content, headers = None, {}
        else:
            params = None
            content = _json.dumps(fields, separators=(",", ":")).encode()
            headers = {"Content-Type": "application/json"}

        def attempt(_: int) -> httpx.Response:
            return self._attempt(method, path, state, content=content, headers=headers, params=params, issuance=True)

        policy = self.retry_policy
        try:
            response = call_with_retry(
                attempt, policy=policy, retryable=policy.should_retry_allocation, error_type=AllSafeError,
                sleep=self._sleep, state=state,
            )
        except AllSafeConnectionError as error:
            if not error.sent:
                raise  # it never reached the provider: nothing was allocated
            raise connection_lost(error, vendor, value, ref) from error
        return read_allocation(response, state, vendor=vendor, value=value, ref=ref,
                               reference_sent=bool(self.contract.reference_field))

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
        reference: str | None = None,
    ) -> httpx.Response:
        """
        One raw request, for negative tests: no retry, no raising on error statuses. On the allocate route it is
        announced to the issuance hooks (`raw_sending`, the ledger's `raw_intent`) before it leaves; nothing else.

        Basic credentials are added when `authenticate` and no `Authorization` header was given.
        `reference` only labels the exchange for the observers. Network trouble raises `AllSafeConnectionError`.
        """
        basic = (lambda: self._authorization) if authenticate else None
        merged = raw_headers(headers, authorization=basic, json_body=content is not None)
        request = self._http.build_request(method, path, headers=merged, content=content, json=json, params=params)
        issuance = self._exchanges.is_route(request, self.contract.allocate_method, self._allocate_route)
        if issuance:  # on the ledger before it leaves, like every allocation
            own = authenticate and not any(name.lower() == "authorization" for name in headers or {})
            self._hooks.announce_raw(raw_issuance("allsafe", request, self.base_url, key=reference,
                                                  own_credentials=own, client_id=self.username))
        return self._exchanges.send(request, idempotency_key=reference, issuance=issuance)

    @staticmethod
    def error_for(
        response: httpx.Response, *, vendor: str | None = None, value: Decimal | None = None
    ) -> AllSafeStatusError | None:
        """The typed error a response stands for (None for a 2xx)."""
        if 200 <= response.status_code < 300:
            return None
        return make_status_error(response, vendor=vendor, value=value)

    # -- attempts and exchanges ------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        path: str,
        state: CallState,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        issuance: bool = False,
    ) -> httpx.Response:
        """One request; a response of any status (availability decides which are errors)."""
        request = self._http.build_request(
            method, path, content=content, params=params,
            headers={**(headers or {}), "Authorization": self._authorization},
        )
        return self._exchanges.attempt(request, state, issuance=issuance)

