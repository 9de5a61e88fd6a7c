"""The typed, synchronous client of the UNIQREWARDS Client API v2."""

from __future__ import annotations

import dataclasses
import json as _json
import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx

from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, Observer
from uatcert.faults import LostResponseReporter
from uatcert.v2._constants import (
    CENT,
    CORRELATION_ID_HEADER,
    DEFAULT_TIMEOUT_S,
    DEFAULT_TOKEN_REFRESH_MARGIN_S,
    DISTRIBUTION_MODE,
    MAX_FACE_VALUE,
    MAX_QUANTITY,
    MAX_REFS_PER_CHECK,
    MIN_FACE_VALUE,
    MIN_QUANTITY,
    PRODUCT_CLASS,
    RECOVERABLE_CODES,
    USER_AGENT,
    X_CLIENT_ID_HEADER,
    X_CLIENT_SECRET_HEADER,
)
from uatcert.v2._exceptions import (
    ApiConnectionError,
    ApiError,
    ApiStatusError,
    ResponseValidationError,
    TokenError,
    make_status_error,
    map_transport_error,
)
from uatcert.v2._http import request_id_of
from uatcert.v2._models import CheckedVoucher, Issuance, IssuedVoucher, TokenInfo
from uatcert.v2._parsing import (
    FAILED,
    decode_json,
    envelope_status,
    error_messages,
    parse_error_messages,
    success_data,
    validate_list,
)
from uatcert.v2._retry import RetryPolicy, call_with_retry
from uatcert.v2._token import TokenManager

_log = logging.getLogger("uatcert.v2")

_AMBIGUOUS_STATUSES = frozenset({408, 409})
"""Error statuses after which an earlier attempt may have issued (besides every 5xx)."""


def new_correlation_id() -> str:
    """A fresh X-Correlation-Id: a random (version 4) UUID, one per logical issuance (reference §9.2)."""
    return str(uuid.uuid4())


def to_face_value(value: Decimal | int | str) -> Decimal:
    """
    A dynamic value-based face value in SGD dollars as an exact `Decimal`, checked against the
    documented range (1 to 1000, cents allowed). Floats are refused: money is never a float.
    """
    if isinstance(value, bool) or isinstance(value, float) or not isinstance(value, Decimal | int | str):
        raise TypeError("face_value must be a Decimal, an int or a string such as '61.72' (never a float)")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"face_value {value!r} is not an amount") from None
    if not amount.is_finite():
        raise ValueError(f"face_value {value!r} is not an amount")
    if amount != amount.quantize(CENT):
        raise ValueError(f"face_value {value!r} has more than two decimals (SGD has cents)")
    if not MIN_FACE_VALUE <= amount <= MAX_FACE_VALUE:
        raise ValueError(f"face_value must be between {MIN_FACE_VALUE} and {MAX_FACE_VALUE} SGD, got {amount}")
    return amount.quantize(CENT)


def to_cents(face_value: Decimal) -> int:
    """SGD dollars as integer cents (61.72 -> 6172)."""
    return int((face_value * 100).to_integral_value())


def request_body(quantity: int, face_value: Decimal | None, distribution_mode: str = DISTRIBUTION_MODE) -> bytes:
    """The Request Vouchers body; `face_value` is written as a JSON number with exactly two decimals."""
    head = _json.dumps({"manual_quantity": quantity, "distribution_mode": distribution_mode}, separators=(",", ":"))
    if face_value is None:
        return head.encode()
    return f'{head[:-1]},"face_value":{face_value.quantize(CENT)}}}'.encode()


@dataclasses.dataclass
class _CallState:
    """What one logical call has been through so far (shared by its attempts)."""

    correlation_id: str | None = None
    attempts: int = 0
    request_ids: list[str] = dataclasses.field(default_factory=list)
    last_status: int | None = None
    ambiguous: bool = False
    """True once an attempt may have issued without the client knowing (lost answer, 5xx, ERV code, 409)."""
    renewed: bool = False


class V2Client:
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
      (api "v2"; token requests "token"). Observers must not raise.
    - `issuance_hooks` hear `before` once per issuance (raising there refuses it: nothing is sent) and
      `after` once at the end. The intent's `face_value` is in cents (61.72 -> 6172), currency SGD.
    - A transport with an `on_lost` listener list (`uatcert.faults.FaultTransport`) tells the client
      about answers it dropped, so their real status and body reach the observers.
    """

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

    def __enter__(self) -> V2Client:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
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

    @property
    def token_info(self) -> TokenInfo | None:
        """`expires_in`, `token_type` and `scope` of the last token response (None before the first)."""
        return self._token.info

    def expire_token_locally(self) -> None:
        """Forget the token's expiry: the next call fetches a new token."""
        self._token.forget_expiry()

    # -- paths -----------------------------------------------------------------------------------

    def issue_path(self, product_code: str, order_number: str, product_class: str | None = None) -> str:
        """Path of Request Vouchers, relative to the base URL (reference §5.2)."""
        return (
            f"/catalogs/{_segment(product_class or self.product_class, 'product class')}"
            f"/product_assets/{_segment(order_number, 'order number')}"
            f"/products/{_segment(product_code, 'product code')}/vouchers/actions/request"
        )

    def check_path(self, product_class: str | None = None) -> str:
        """Path of Check Vouchers, relative to the base URL (reference §6.1)."""
        return f"/catalogs/{_segment(product_class or self.product_class, 'product class')}/vouchers/actions/check"

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
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise TypeError("quantity must be an integer")
        if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
            raise ValueError(f"manual_quantity must be between {MIN_QUANTITY} and {MAX_QUANTITY}, got {quantity}")
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
        )
        started = self._hooks_before(intent)
        state = _CallState(correlation_id=key)
        try:
            response = self._call(
                "POST", path, state, content=content,
                headers={CORRELATION_ID_HEADER: key, "Content-Type": "application/json"},
            )
            body = decode_json(response)
            vouchers = validate_list(IssuedVoucher, success_data(body, response), "$.data", response)
        except ApiError as error:
            error.attempts = state.attempts
            error.correlation_id = key
            hook_error = self._hooks_after(started, self._failed_outcome(intent, state, error))
            if hook_error is not None:
                error.add_note(f"an issuance hook failed afterwards: {type(hook_error).__name__}: {hook_error}")
            raise
        except BaseException as error:
            self._hooks_after(started, IssueOutcome(
                intent=intent, outcome="unknown", http_status=state.last_status, attempts=state.attempts,
                request_ids=tuple(state.request_ids), error=f"{type(error).__name__}: {error}",
            ))
            raise
        issuance = Issuance(
            correlation_id=key,
            product_class=self.product_class,
            order_number=order_number,
            product_code=product_code,
            quantity=quantity,
            face_value=amount,
            status_code=response.status_code,
            vouchers=vouchers,
            attempts=state.attempts,
            recovered=state.ambiguous,
            request_ids=list(state.request_ids),
            raw=body if isinstance(body, dict | list) else None,
        )
        outcome = IssueOutcome(
            intent=intent,
            outcome="issued" if len(vouchers) >= quantity else "partial",
            http_status=response.status_code,
            voucher_ids=tuple(issuance.settlement_refs),
            replayed=state.ambiguous,
            attempts=state.attempts,
            request_ids=tuple(state.request_ids),
            error=None if len(vouchers) >= quantity else f"{len(vouchers)} of {quantity} vouchers in the answer",
        )
        hook_error = self._hooks_after(started, outcome)
        if hook_error is not None:
            raise hook_error
        return issuance

    @staticmethod
    def _failed_outcome(intent: IssueIntent, state: _CallState, error: ApiError) -> IssueOutcome:
        kind: Literal["refused", "unknown"] = "unknown"
        if not state.ambiguous and isinstance(error, ApiStatusError | TokenError):
            kind = "refused"
        return IssueOutcome(
            intent=intent, outcome=kind, http_status=state.last_status, attempts=state.attempts,
            request_ids=tuple(state.request_ids), error=str(error),
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
        for batch in _chunks(unique, MAX_REFS_PER_CHECK):
            content = _json.dumps({"voucher_settlement_refs": list(batch)}, separators=(",", ":")).encode()
            response = self._call(
                "POST", self.check_path(), _CallState(), content=content, headers={"Content-Type": "application/json"}
            )
            items = success_data(decode_json(response), response)
            by_ref = {_ref_key(c.voucher_settlement_ref): c
                      for c in validate_list(CheckedVoucher, items, "$.data", response)}
            missing = [ref for ref in batch if _ref_key(ref) not in by_ref]
            if missing:
                raise ResponseValidationError(
                    f"POST {response.request.url.path} -> {response.status_code}: {len(missing)} of {len(batch)} "
                    "refs asked are missing from the answer",
                    errors=[("$.data", f"ref {ref} missing") for ref in missing],
                    response=response,
                )
            found.update({ref: by_ref[_ref_key(ref)] for ref in batch})
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

        The bearer token is added when `authenticate`, and X-Client-Id/X-Client-Secret when
        `client_headers`, unless `headers` names them; a header given as None is left out. `content`
        without a Content-Type is sent as JSON. The exchange reaches the observers; network trouble
        still raises `ApiConnectionError`/`ApiTimeoutError`.
        """
        given = dict(headers or {})
        lowered = {name.lower() for name in given}
        merged: dict[str, str] = {}
        if authenticate and "authorization" not in lowered:
            merged["Authorization"] = f"Bearer {self._token.get()}"
        if client_headers:
            if X_CLIENT_ID_HEADER.lower() not in lowered:
                merged[X_CLIENT_ID_HEADER] = self.x_client_id
            if X_CLIENT_SECRET_HEADER.lower() not in lowered:
                merged[X_CLIENT_SECRET_HEADER] = self._x_client_secret
        if (content is not None or json is not None) and "content-type" not in lowered:
            merged["Content-Type"] = "application/json"
        merged.update({name: value for name, value in given.items() if value is not None})
        request = self._http.build_request(method, path, headers=merged, content=content, json=json)
        return self._send_once(
            request, api="v2", attempt=1, correlation_id=request.headers.get(CORRELATION_ID_HEADER)
        )

    # -- one logical call, its attempts, and one HTTP exchange ------------------------------------

    def _call(
        self, method: str, path: str, state: _CallState, *, content: bytes, headers: Mapping[str, str]
    ) -> httpx.Response:
        """One logical call through the retry loop; a succeeded answer, else the last error (with attempts)."""

        def attempt(_: int) -> httpx.Response:
            return self._attempt(method, path, state, content=content, headers=headers)

        try:
            return call_with_retry(attempt, policy=self.retry_policy, sleep=self._sleep)
        except ApiError as error:
            error.attempts = state.attempts
            error.correlation_id = state.correlation_id
            raise

    def _attempt(
        self, method: str, path: str, state: _CallState, *, content: bytes, headers: Mapping[str, str]
    ) -> httpx.Response:
        """One attempt: one request, plus one resend with a renewed token if it got the call's first 401."""
        while True:
            token = self._token.get()
            request = self._http.build_request(
                method, path, content=content,
                headers={
                    **headers,
                    "Authorization": f"Bearer {token}",
                    X_CLIENT_ID_HEADER: self.x_client_id,
                    X_CLIENT_SECRET_HEADER: self._x_client_secret,
                },
            )
            state.attempts += 1
            try:
                response = self._send_once(
                    request, api="v2", attempt=state.attempts, correlation_id=state.correlation_id
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
                try:
                    body = decode_json(response)
                except ResponseValidationError:
                    state.ambiguous = True  # no usable answer: the request may have been processed
                    raise
                if envelope_status(body) == FAILED:
                    messages = error_messages(body)
                    if any(m.code in RECOVERABLE_CODES for m in messages):
                        state.ambiguous = True
                    raise make_status_error(response, messages)
                if envelope_status(body) is None:
                    state.ambiguous = True  # not a v2 answer (a gateway page?): the request may have been processed
                    success_data(body, response)  # raises the unparseable ResponseValidationError
                return response
            messages = parse_error_messages(response)
            if (response.status_code >= 500 or response.status_code in _AMBIGUOUS_STATUSES
                    or any(m.code in RECOVERABLE_CODES for m in messages)):
                state.ambiguous = True
            raise make_status_error(response, messages)

    def _send_token(self, request: httpx.Request) -> httpx.Response:
        return self._send_once(request, api="token", attempt=1, correlation_id=None)

    def _send_once(
        self, request: httpx.Request, *, api: str, attempt: int, correlation_id: str | None
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
            self._emit(Exchange(
                api=api, method=request.method, url=str(request.url), request_headers=dict(request.headers),
                request_body=_body_of(request), outcome=error.outcome,
                status=lost.status_code if lost is not None else None,
                response_headers=dict(lost.headers) if lost is not None else {},
                response_body=lost.content if lost is not None else b"",
                duration_s=duration, error=str(error), attempt=attempt, idempotency_key=correlation_id,
            ))
            raise error from exc
        finally:
            self._pending_lost.pop(slot, None)
        self._emit(Exchange(
            api=api, method=request.method, url=str(request.url), request_headers=dict(request.headers),
            request_body=_body_of(request), outcome="response", status=response.status_code,
            response_headers=dict(response.headers), response_body=response.content,
            duration_s=self._clock() - started, attempt=attempt, idempotency_key=correlation_id,
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


def _segment(value: str, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return quote(value, safe="")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ref_key(ref: str) -> str:
    """Settlement ref normalised for matching (UUID-shaped refs compare case-independently)."""
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return ref


def _body_of(request: httpx.Request) -> bytes:
    try:
        return request.content
    except httpx.RequestNotRead:
        return b""
