"""The typed, synchronous client of the UNIQREWARDS Client API v3."""

from __future__ import annotations

import dataclasses
import json as _json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx

from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, Observer
from uatcert.faults import LostResponseReporter
from uatcert.v3._constants import (
    DEFAULT_SCOPE_PREFIX,
    DEFAULT_SCOPES,
    DEFAULT_TIMEOUT_S,
    DEFAULT_TOKEN_REFRESH_MARGIN_S,
    IDEMPOTENCY_KEY_HEADER,
    IDEMPOTENCY_RECORD_HEADER,
    MAX_IDS_PER_BATCH,
    MAX_QUANTITY,
    MIN_QUANTITY,
    USER_AGENT,
)
from uatcert.v3._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ResponseValidationError,
    TokenError,
    make_status_error,
    map_transport_error,
)
from uatcert.v3._http import request_id_of
from uatcert.v3._models import Issuance, Product, Voucher
from uatcert.v3._parsing import (
    decode_json,
    error_body_from,
    locate_list,
    locate_object,
    parse_error_body,
    validate_list,
    validate_model,
)
from uatcert.v3._retry import RetryPolicy, call_with_retry
from uatcert.v3._token import TokenManager

_log = logging.getLogger("uatcert.v3")

_AMBIGUOUS_STATUSES = frozenset({408, 409})
"""Error statuses after which an earlier attempt may have committed (besides every 5xx)."""


def new_idempotency_key() -> str:
    """A fresh idempotency key: a random (version 4) UUID in its canonical text form."""
    return str(uuid.uuid4())


@dataclasses.dataclass
class _CallState:
    """What one logical call has been through so far (shared by its attempts)."""

    idempotency_key: str | None = None
    attempts: int = 0
    """HTTP requests sent to the API for this call."""
    request_ids: list[str] = dataclasses.field(default_factory=list)
    last_status: int | None = None
    """Last HTTP status actually received."""
    ambiguous: bool = False
    """True once an attempt may have been committed without the client knowing (lost answer, 5xx, 409)."""
    renewed: bool = False
    """True once the token was renewed after a 401 (done at most once per call)."""


class V3Client:
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
    - Every HTTP exchange, token requests included, is passed to each observer as an `Exchange`.
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
        self._observers: list[Observer] = list(observers)
        self._hooks: list[IssuanceHook] = list(issuance_hooks)
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url + "/",
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        self._pending_lost: dict[int, httpx.Response | None] = {}
        self._reporter: LostResponseReporter | None = None
        if isinstance(transport, LostResponseReporter):
            self._reporter = transport
            transport.on_lost.append(self._on_lost_response)
        self._token = TokenManager(
            token_url=token_url,
            client_id=client_id,
            client_secret=client_secret,
            scopes=[f"{scope_prefix}{name}" for name in scopes],
            clock=clock,
            refresh_margin_s=token_refresh_margin_s,
            http=self._http,
            send=self._send_token,
        )

    def __repr__(self) -> str:
        return f"V3Client(base_url={self.base_url!r}, token_url={self.token_url!r}, client_id={self.client_id!r})"

    # -- lifecycle -------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool (and the transport) and stop listening for lost responses."""
        if self._reporter is not None:
            try:
                self._reporter.on_lost.remove(self._on_lost_response)
            except ValueError:
                pass
            self._reporter = None
        self._http.close()

    def __enter__(self) -> V3Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def add_observer(self, observer: Observer) -> None:
        """Also pass every later exchange to `observer`."""
        self._observers.append(observer)

    # -- token -----------------------------------------------------------------------------------

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

    # -- catalogue -------------------------------------------------------------------------------

    def products(self) -> list[Product]:
        """`GET /products`: the caller's catalogue (a 404 — empty catalogue — raises `NotFoundError`)."""
        response = self._call("GET", "/products", _CallState())
        path, items = locate_list(decode_json(response), response)
        return validate_list(Product, items, path, response)

    def product(self, code: str) -> Product:
        """`GET /products/{code}`: one product."""
        response = self._call("GET", f"/products/{_segment(code, 'product code')}", _CallState())
        path, obj = locate_object(decode_json(response), response)
        return validate_model(Product, obj, path, response)

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
        segment = _segment(code, "product code")
        key = idempotency_key if idempotency_key is not None else new_idempotency_key()
        payload: dict[str, int] = {"quantity": quantity}
        if face_value is not None:
            payload["face_value"] = face_value
        content = _json.dumps(payload, separators=(",", ":")).encode()
        intent = IssueIntent(
            api="v3", idempotency_key=key, product_code=code, quantity=quantity, face_value=face_value
        )
        started = self._hooks_before(intent)
        state = _CallState(idempotency_key=key)
        try:
            response = self._call(
                "POST",
                f"/products/{segment}",
                state,
                content=content,
                headers={IDEMPOTENCY_KEY_HEADER: key, "Content-Type": "application/json"},
            )
            issuance = self._read_issuance(response, intent, state)
        except ApiError as error:
            error.attempts = state.attempts
            error.idempotency_key = key
            hook_error = self._hooks_after(started, self._failed_outcome(intent, state, error))
            if hook_error is not None:
                error.add_note(f"an issuance hook failed afterwards: {type(hook_error).__name__}: {hook_error}")
            raise
        except BaseException as error:
            outcome = IssueOutcome(
                intent=intent,
                outcome="unknown",
                http_status=state.last_status,
                attempts=state.attempts,
                request_ids=tuple(state.request_ids),
                error=f"{type(error).__name__}: {error}",
            )
            self._hooks_after(started, outcome)
            raise
        outcome = IssueOutcome(
            intent=intent,
            outcome="partial" if issuance.status_code == 207 else "issued",
            http_status=issuance.status_code,
            voucher_ids=tuple(issuance.voucher_ids),
            replayed=issuance.replayed,
            attempts=issuance.attempts,
            request_ids=tuple(issuance.request_ids),
            error=_partial_text(issuance),
        )
        hook_error = self._hooks_after(started, outcome)
        if hook_error is not None:
            raise hook_error
        return issuance

    def _read_issuance(self, response: httpx.Response, intent: IssueIntent, state: _CallState) -> Issuance:
        body = decode_json(response)
        path, items = locate_list(body, response)
        vouchers = validate_list(Voucher, items, path, response)
        record = response.headers.get(IDEMPOTENCY_RECORD_HEADER)
        return Issuance(
            idempotency_key=intent.idempotency_key,
            product_code=intent.product_code,
            quantity=intent.quantity,
            face_value=intent.face_value,
            status_code=response.status_code,
            vouchers=vouchers,
            replayed=record is not None,
            idempotency_record=record,
            attempts=state.attempts,
            partial_error=error_body_from(body) if response.status_code == 207 else None,
            request_ids=list(state.request_ids),
            raw=body if isinstance(body, dict | list) else None,
        )

    @staticmethod
    def _failed_outcome(intent: IssueIntent, state: _CallState, error: ApiError) -> IssueOutcome:
        kind: Literal["refused", "unknown"] = "unknown"
        if not state.ambiguous and isinstance(error, ApiStatusError | TokenError):
            kind = "refused"
        return IssueOutcome(
            intent=intent,
            outcome=kind,
            http_status=state.last_status,
            attempts=state.attempts,
            request_ids=tuple(state.request_ids),
            error=str(error),
        )

    def _hooks_before(self, intent: IssueIntent) -> list[IssuanceHook]:
        started: list[IssuanceHook] = []
        for hook in self._hooks:
            try:
                hook.before(intent)
            except BaseException as error:
                refused = IssueOutcome(
                    intent=intent,
                    outcome="refused",
                    http_status=None,
                    attempts=0,
                    error=f"refused before sending: {type(error).__name__}: {error}",
                )
                self._hooks_after(started, refused)
                raise
            started.append(hook)
        return started

    @staticmethod
    def _hooks_after(hooks: Sequence[IssuanceHook], outcome: IssueOutcome) -> Exception | None:
        """Tell every hook; return the first error a hook raised (every hook is told regardless)."""
        first: Exception | None = None
        for hook in hooks:
            try:
                hook.after(outcome)
            except Exception as error:  # noqa: BLE001 - the caller re-raises it once all hooks ran
                first = first or error
        return first

    # -- vouchers --------------------------------------------------------------------------------

    def voucher(self, voucher_id: str) -> Voucher:
        """`GET /vouchers/{id}`: the current state of one voucher."""
        response = self._call("GET", f"/vouchers/{_segment(voucher_id, 'voucher id')}", _CallState())
        path, obj = locate_object(decode_json(response), response)
        return validate_model(Voucher, obj, path, response)

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
        for batch in _chunks(unique, MAX_IDS_PER_BATCH):
            query = ",".join(quote(voucher_id, safe="") for voucher_id in batch)
            response = self._call("GET", f"/vouchers?id={query}", _CallState())
            path, items = locate_list(decode_json(response), response)
            by_id = {_id_key(v.voucher_id): v for v in validate_list(Voucher, items, path, response)}
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

        The bearer token is added when `authenticate` and no `Authorization` header was given; `content`
        without a `Content-Type` header is sent as `application/json`. The exchange reaches the observers.
        Network trouble still raises `ApiConnectionError`/`ApiTimeoutError` (there is no response to return).
        """
        merged = dict(headers or {})
        lowered = {name.lower() for name in merged}
        if authenticate and "authorization" not in lowered:
            merged["Authorization"] = f"Bearer {self._token.get()}"
        if content is not None and "content-type" not in lowered:
            merged["Content-Type"] = "application/json"
        request = self._http.build_request(method, path, headers=merged, content=content, json=json, params=params)
        return self._send_once(
            request, api="v3", attempt=1, idempotency_key=request.headers.get(IDEMPOTENCY_KEY_HEADER)
        )

    # -- one logical call, its attempts, and one HTTP exchange ------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        state: _CallState,
        *,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """One logical call through the retry loop; a 2xx response, else the last error (with attempts)."""

        def attempt(_: int) -> httpx.Response:
            return self._attempt(method, path, state, content=content, headers=headers or {})

        try:
            return call_with_retry(attempt, policy=self.retry_policy, sleep=self._sleep)
        except ApiError as error:
            error.attempts = state.attempts
            error.idempotency_key = state.idempotency_key
            raise

    def _attempt(
        self,
        method: str,
        path: str,
        state: _CallState,
        *,
        content: bytes | None,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        """One attempt: one request, plus one resend with a renewed token if it got the call's first 401."""
        while True:
            token = self._token.get()
            request = self._http.build_request(
                method, path, content=content, headers={**headers, "Authorization": f"Bearer {token}"}
            )
            state.attempts += 1
            try:
                response = self._send_once(
                    request, api="v3", attempt=state.attempts, idempotency_key=state.idempotency_key
                )
            except ApiConnectionError as error:
                if error.outcome != "lost_request":
                    state.ambiguous = True
                raise
            state.last_status = response.status_code
            request_id = request_id_of(response)
            if request_id:
                state.request_ids.append(request_id)
            if response.status_code == 401 and not state.renewed:
                state.renewed = True
                self._token.renew()
                continue
            if response.is_success:
                return response
            if response.status_code >= 500 or response.status_code in _AMBIGUOUS_STATUSES:
                state.ambiguous = True
            raise make_status_error(response, parse_error_body(response))

    def _send_token(self, request: httpx.Request) -> httpx.Response:
        return self._send_once(request, api="token", attempt=1, idempotency_key=None)

    def _send_once(
        self, request: httpx.Request, *, api: str, attempt: int, idempotency_key: str | None
    ) -> httpx.Response:
        """Send one request; emit its `Exchange`; wrap every httpx request error into an `ApiConnectionError`."""
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
            self._emit(
                Exchange(
                    api=api,
                    method=request.method,
                    url=str(request.url),
                    request_headers=dict(request.headers),
                    request_body=_body_of(request),
                    outcome=error.outcome,
                    status=lost.status_code if lost is not None else None,
                    response_headers=dict(lost.headers) if lost is not None else {},
                    response_body=lost.content if lost is not None else b"",
                    duration_s=duration,
                    error=str(error),
                    attempt=attempt,
                    idempotency_key=idempotency_key,
                )
            )
            raise error from exc
        finally:
            self._pending_lost.pop(slot, None)
        self._emit(
            Exchange(
                api=api,
                method=request.method,
                url=str(request.url),
                request_headers=dict(request.headers),
                request_body=_body_of(request),
                outcome="response",
                status=response.status_code,
                response_headers=dict(response.headers),
                response_body=response.content,
                duration_s=self._clock() - started,
                attempt=attempt,
                idempotency_key=idempotency_key,
            )
        )
        return response

    def _on_lost_response(self, request: httpx.Request, response: httpx.Response) -> None:
        """Listener for a transport that dropped an answer: keep it for the exchange of that request."""
        slot = id(request)
        if slot in self._pending_lost:
            self._pending_lost[slot] = response

    def _emit(self, exchange: Exchange) -> None:
        for observer in tuple(self._observers):
            try:
                observer(exchange)
            except Exception:  # noqa: BLE001 - observers must never break the client (documented)
                _log.debug("observer %r raised; ignored", observer, exc_info=True)


def _segment(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _id_key(voucher_id: str) -> str:
    """Voucher id normalised for matching (UUIDs compare case- and format-independently)."""
    try:
        return str(uuid.UUID(voucher_id))
    except ValueError:
        return voucher_id.lower()


def _body_of(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""


def _partial_text(issuance: Issuance) -> str | None:
    if issuance.partial_error is None:
        return None
    return f"[{issuance.partial_error.code or 'no code'}] {issuance.partial_error.message or ''}".rstrip()
