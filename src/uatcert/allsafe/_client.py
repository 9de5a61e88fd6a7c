"""The typed, synchronous client of the AllSafe Redemption API (availability and allocation)."""

from __future__ import annotations

import base64
import dataclasses
import ipaddress
import json as _json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from uatcert.allsafe._constants import (
    DEFAULT_CONNECT_TIMEOUT_S,
    DEFAULT_CURRENCY,
    DEFAULT_TIMEOUT_S,
    REQUEST_ID_HEADERS,
    USER_AGENT,
)
from uatcert.allsafe._contract import AllSafeContract
from uatcert.allsafe._exceptions import (
    AllSafeConnectionError,
    AllSafeError,
    AllSafeStatusError,
    AllSafeTimeoutError,
    ReconcileReason,
    ReconciliationRequired,
    ResponseValidationError,
    make_status_error,
    map_transport_error,
    where,
)
from uatcert.allsafe._models import (
    AllocatedVoucher,
    Allocation,
    Availability,
    VoucherType,
    as_decimal,
    value_json,
    value_text,
)
from uatcert.allsafe._parsing import decode_json, locate_list, locate_object, validate_list, validate_model
from uatcert.allsafe._retry import RetryPolicy, call_with_retry
from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, Observer
from uatcert.faults import LostResponseReporter

_log = logging.getLogger("uatcert.allsafe")


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


@dataclasses.dataclass
class _CallState:
    reference: str | None = None
    attempts: int = 0
    request_ids: list[str] = dataclasses.field(default_factory=list)
    last_status: int | None = None


class AllSafeClient:
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
    - Paths, method and field names come from an `AllSafeContract` (the allocate call is UNDOCUMENTED).
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
        self._observers: list[Observer] = list(observers)
        self._hooks: list[IssuanceHook] = list(issuance_hooks)
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self._pending_lost: dict[int, httpx.Response | None] = {}
        self._reporter: LostResponseReporter | None = None
        if isinstance(transport, LostResponseReporter):
            self._reporter = transport
            transport.on_lost.append(self._on_lost_response)

    def __repr__(self) -> str:
        return f"AllSafeClient(base_url={self.base_url!r}, username={self.username!r})"

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool and stop listening for lost responses."""
        if self._reporter is not None:
            try:
                self._reporter.on_lost.remove(self._on_lost_response)
            except ValueError:
                pass
            self._reporter = None
        self._http.close()

    def __enter__(self) -> AllSafeClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def add_observer(self, observer: Observer) -> None:
        self._observers.append(observer)

    # -- availability ----------------------------------------------------------------------------

    def availability(self) -> Availability:
        """
        The campaign's voucher types with what is left. `204`, `200 []` and `492` all mean "nothing
        available" (see `Availability.form`); 401 and 491 raise their typed errors.
        """
        state = _CallState()

        def attempt(_: int) -> Availability:
            response = self._attempt("GET", self.contract.availability_path, state)
            return self._read_availability(response, state)

        try:
            return call_with_retry(
                attempt, retryable=self.retry_policy.should_retry_read, policy=self.retry_policy, sleep=self._sleep
            )
        except AllSafeError as error:
            error.attempts = state.attempts
            raise

    def _read_availability(self, response: httpx.Response, state: _CallState) -> Availability:
        status = response.status_code
        if status == 204:
            return Availability((), "no_content", status, state.attempts)
        if status == 492:
            return Availability((), "no_vouchers", status, state.attempts)
        if not 200 <= status < 300:
            raise make_status_error(response, request_id=_request_id(response))
        body = decode_json(response)
        path, items = locate_list(body, response)
        types = validate_list(VoucherType, items, path, response)
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
        )
        started = self._hooks_before(intent)
        state = _CallState(reference=ref)
        try:
            allocation = self._allocate(vendor, amount, ref, fields, state)
        except AllSafeError as error:
            error.attempts = state.attempts
            error.reference = ref
            hook_error = self._hooks_after(started, _failed_outcome(intent, state, error))
            if hook_error is not None:
                error.add_note(f"an allocation hook failed afterwards: {type(hook_error).__name__}: {hook_error}")
            raise
        except BaseException as error:
            self._hooks_after(started, IssueOutcome(
                intent=intent, outcome="unknown", http_status=state.last_status, attempts=state.attempts,
                request_ids=tuple(state.request_ids), error=f"{type(error).__name__}: {error}",
            ))
            raise
        voucher_id = allocation.voucher.id
        outcome = IssueOutcome(
            intent=intent,
            outcome="issued",
            http_status=allocation.status_code,
            voucher_ids=(voucher_id,) if voucher_id else (),
            attempts=allocation.attempts,
            request_ids=allocation.request_ids,
        )
        hook_error = self._hooks_after(started, outcome)
        if hook_error is not None:
            raise hook_error
        return allocation

    def _allocate(
        self, vendor: str, value: Decimal, ref: str, fields: dict[str, Any], state: _CallState
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
            return self._attempt(method, path, state, content=content, headers=headers, params=params)

        try:
            response = call_with_retry(
                attempt, retryable=self.retry_policy.should_retry_allocation, policy=self.retry_policy,
                sleep=self._sleep,
            )
        except AllSafeConnectionError as error:
            if not error.sent:
                raise  # it never reached the provider: nothing was allocated
            reason: ReconcileReason = "timeout" if isinstance(error, AllSafeTimeoutError) else "connection_lost"
            raise self._reconcile(reason, vendor, value, ref, error.request, None, error, str(error)) from error
        status = response.status_code
        if status >= 500:
            cause = make_status_error(response, request_id=_request_id(response))
            raise self._reconcile("server_error", vendor, value, ref, response.request, status, cause,
                                  f"HTTP {status}") from cause
        if status == 204:
            raise self._reconcile("no_content", vendor, value, ref, response.request, status, None,
                                  "HTTP 204 with no voucher: stock may have been consumed")
        if not 200 <= status < 300:
            raise make_status_error(response, request_id=_request_id(response), vendor=vendor, value=value)
        try:
            body_path, obj = locate_object(decode_json(response), response)
            voucher = validate_model(AllocatedVoucher, obj, body_path, response)
        except ResponseValidationError as invalid:
            raise self._reconcile("unreadable_success", vendor, value, ref, response.request, status, invalid,
                                  f"HTTP {status} without a usable voucher ({invalid})") from invalid
        return Allocation(
            reference=ref, vendor=vendor, value=value, voucher=voucher, status_code=status,
            attempts=state.attempts, request_ids=tuple(state.request_ids),
            reference_sent=bool(self.contract.reference_field),
        )

    def _reconcile(
        self, reason: ReconcileReason, vendor: str, value: Decimal, ref: str, request: httpx.Request | None,
        status: int | None, cause: AllSafeError | None, detail: str,
    ) -> ReconciliationRequired:
        label = f"{where(request)} for {vendor} {value_text(value)} (reference {ref})"
        return ReconciliationRequired(
            f"{label}: outcome unknown ({reason}: {detail}); not retried. Action: reconcile in the AllSafe "
            "portal before allocating again",
            reason=reason, reference=ref, vendor=vendor, value=value, status=status, cause_error=cause,
            request=request,
        )

    def _hooks_before(self, intent: IssueIntent) -> list[IssuanceHook]:
        started: list[IssuanceHook] = []
        for hook in self._hooks:
            try:
                hook.before(intent)
            except BaseException as error:
                self._hooks_after(started, IssueOutcome(
                    intent=intent, outcome="refused", http_status=None, attempts=0,
                    error=f"refused before sending: {type(error).__name__}: {error}",
                ))
                raise
            started.append(hook)
        return started

    @staticmethod
    def _hooks_after(hooks: Sequence[IssuanceHook], outcome: IssueOutcome) -> Exception | None:
        first: Exception | None = None
        for hook in hooks:
            try:
                hook.after(outcome)
            except Exception as error:  # noqa: BLE001 - the caller re-raises it once all hooks ran
                first = first or error
        return first

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
        One raw request, for negative tests: no retry, no raising on error statuses, no hooks.

        Basic credentials are added when `authenticate` and no `Authorization` header was given.
        `reference` only labels the exchange for the observers. Network trouble raises `AllSafeConnectionError`.
        """
        merged = dict(headers or {})
        lowered = {name.lower() for name in merged}
        if authenticate and "authorization" not in lowered:
            merged["Authorization"] = self._authorization
        if content is not None and "content-type" not in lowered:
            merged["Content-Type"] = "application/json"
        request = self._http.build_request(method, path, headers=merged, content=content, json=json, params=params)
        return self._send_once(request, attempt=1, reference=reference)

    @staticmethod
    def error_for(
        response: httpx.Response, *, vendor: str | None = None, value: Decimal | None = None
    ) -> AllSafeStatusError | None:
        """The typed error a response stands for (None for a 2xx)."""
        if 200 <= response.status_code < 300:
            return None
        return make_status_error(response, request_id=_request_id(response), vendor=vendor, value=value)

    # -- attempts and exchanges ------------------------------------------------------------------

    def _attempt(
        self,
        method: str,
        path: str,
        state: _CallState,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One request; a response of any status (availability decides which are errors)."""
        request = self._http.build_request(
            method, path, content=content, params=params,
            headers={**(headers or {}), "Authorization": self._authorization},
        )
        state.attempts += 1
        response = self._send_once(request, attempt=state.attempts, reference=state.reference)
        state.last_status = response.status_code
        request_id = _request_id(response)
        if request_id:
            state.request_ids.append(request_id)
        return response

    def _send_once(self, request: httpx.Request, *, attempt: int, reference: str | None) -> httpx.Response:
        slot = id(request)
        self._pending_lost[slot] = None
        started = self._clock()
        try:
            response = self._http.send(request)
        except httpx.RequestError as exc:
            duration = self._clock() - started
            lost = self._pending_lost.pop(slot, None)
            error = map_transport_error(exc)
            if lost is not None:
                error.outcome = "lost_response"
                error.lost_response = lost
                error.sent = True
            self._emit(Exchange(
                api="allsafe", method=request.method, url=str(request.url), request_headers=dict(request.headers),
                request_body=_body_of(request), outcome=error.outcome,
                status=lost.status_code if lost is not None else None,
                response_headers=dict(lost.headers) if lost is not None else {},
                response_body=lost.content if lost is not None else b"", duration_s=duration, error=str(error),
                attempt=attempt, idempotency_key=reference,
            ))
            raise error from exc
        finally:
            self._pending_lost.pop(slot, None)
        self._emit(Exchange(
            api="allsafe", method=request.method, url=str(request.url), request_headers=dict(request.headers),
            request_body=_body_of(request), outcome="response", status=response.status_code,
            response_headers=dict(response.headers), response_body=response.content,
            duration_s=self._clock() - started, attempt=attempt, idempotency_key=reference,
        ))
        return response

    def _on_lost_response(self, request: httpx.Request, response: httpx.Response) -> None:
        slot = id(request)
        if slot in self._pending_lost:
            self._pending_lost[slot] = response

    def _emit(self, exchange: Exchange) -> None:
        for observer in tuple(self._observers):
            try:
                observer(exchange)
            except Exception:  # noqa: BLE001 - observers must never break the client (documented)
                _log.debug("observer %r raised; ignored", observer, exc_info=True)


def _failed_outcome(intent: IssueIntent, state: _CallState, error: AllSafeError) -> IssueOutcome:
    if isinstance(error, AllSafeStatusError):
        return IssueOutcome(intent=intent, outcome="refused", http_status=state.last_status, attempts=state.attempts,
                            request_ids=tuple(state.request_ids), error=str(error))
    if isinstance(error, AllSafeConnectionError) and not error.sent:
        return IssueOutcome(intent=intent, outcome="refused", http_status=None, attempts=state.attempts,
                            request_ids=tuple(state.request_ids),
                            error=f"never reached the provider (the connection could not be opened): {error}")
    status = error.status if isinstance(error, ReconciliationRequired) else state.last_status
    return IssueOutcome(intent=intent, outcome="unknown", http_status=status, attempts=state.attempts,
                        request_ids=tuple(state.request_ids), error=f"needs reconciliation: {error}")


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = response.headers.get(name)
        if value:
            return str(value)
    return None


def _body_of(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""
