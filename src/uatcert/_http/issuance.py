"""
The issuance hooks around one logical issuance (v3 issue, v2 Request Vouchers, AllSafe allocation).

Every hook hears `before` once, before anything is sent (raising there refuses the issuance: the hooks
already told hear a `refused` outcome and the error propagates), and `after` once at the end,
whatever happened. A hook failing in `after` never hides the issuance's own error: it is added as a
note; after a success, the first hook error is raised once every hook was told.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, TypeVar

import httpx

from uatcert._http.errors import ClientError, StatusFailure, TokenRefused
from uatcert._http.exchange import CallState
from uatcert.events import IssuanceHook, IssueIntent, IssueOutcome, RawIssuance

CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-client-id", "x-client-secret"})
"""Never part of a `RawIssuance` (what the ledger writes)."""
TRANSPORT_HEADERS = frozenset({"host", "content-length", "user-agent", "accept", "accept-encoding", "connection"})
"""Headers httpx or the client add to every request: a replay adds them again."""

T = TypeVar("T")


def call_outcome(
    intent: IssueIntent, state: CallState, outcome: Literal["refused", "unknown"], error: str
) -> IssueOutcome:
    """An outcome without vouchers, from what the call went through."""
    return IssueOutcome(
        intent=intent,
        outcome=outcome,
        http_status=state.last_status,
        attempts=state.attempts,
        request_ids=tuple(state.request_ids),
        error=error,
    )


def refused_or_unknown(intent: IssueIntent, state: CallState, error: ClientError) -> IssueOutcome:
    """
    The outcome of a failed v3 or v2 issuance: `refused` when the provider answered with an error and no
    earlier attempt may have committed, else `unknown` (needs reconciliation).
    """
    refused = not state.ambiguous and isinstance(error, StatusFailure | TokenRefused)
    return call_outcome(intent, state, "refused" if refused else "unknown", str(error))


class IssuanceHooks:
    """The issuance hooks of one client."""

    def __init__(self, hooks: Sequence[IssuanceHook], *, what: str = "issuance") -> None:
        self._hooks = list(hooks)
        self._what = what
        """How the API calls an issuance, for the note added when a hook fails afterwards."""

    def run(
        self,
        intent: IssueIntent,
        state: CallState,
        call: Callable[[], T],
        *,
        succeeded: Callable[[T], IssueOutcome],
        failed: Callable[[ClientError], IssueOutcome],
    ) -> T:
        """
        `call()` between the hooks' `before` and `after`. An API error is stamped with the call's
        attempts and key, and `failed(error)` is what the hooks hear; anything else is `unknown`.
        """
        started = self._before(intent)
        try:
            result = call()
        except ClientError as error:
            error.record_call(state.attempts, state.key)
            hook_error = self._after(started, failed(error))
            if hook_error is not None:
                error.add_note(f"an {self._what} hook failed afterwards: {type(hook_error).__name__}: {hook_error}")
            raise
        except BaseException as error:
            self._after(started, call_outcome(intent, state, "unknown", f"{type(error).__name__}: {error}"))
            raise
        hook_error = self._after(started, succeeded(result))
        if hook_error is not None:
            raise hook_error
        return result

    def announce_raw(self, raw: RawIssuance) -> None:
        """Tell every hook a raw request on the issuance route is about to leave (a hook raising stops it)."""
        for hook in self._hooks:
            announce = getattr(hook, "raw_sending", None)  # a hook written before raw requests were announced
            if announce is not None:
                announce(raw)

    def _before(self, intent: IssueIntent) -> list[IssuanceHook]:
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
                self._after(started, refused)
                raise
            started.append(hook)
        return started

    @staticmethod
    def _after(hooks: Sequence[IssuanceHook], outcome: IssueOutcome) -> Exception | None:
        """Tell every hook; return the first error a hook raised (every hook is told regardless)."""
        first: Exception | None = None
        for hook in hooks:
            try:
                hook.after(outcome)
            except Exception as error:  # noqa: BLE001 - the caller re-raises it once all hooks ran
                first = first or error
        return first


def raw_issuance(
    api: str, request: httpx.Request, base_url: str, *, key: str | None, own_credentials: bool,
    token_url: str | None = None, client_id: str | None = None,
) -> RawIssuance:
    """What a raw request on the issuance route is, without its credentials (its path below `base_url`)."""
    base = httpx.URL(base_url.rstrip("/") + "/").raw_path.decode("ascii").rstrip("/")
    full = request.url.raw_path.decode("ascii")
    path = full[len(base):] if full.startswith(base + "/") else full
    try:
        body = request.content
    except httpx.RequestNotRead:
        body = b""
    headers = {name: value for name, value in request.headers.items()
               if name.lower() not in CREDENTIAL_HEADERS | TRANSPORT_HEADERS}
    return RawIssuance(api=api, method=request.method, base_url=base_url.rstrip("/"), path=path, headers=headers,
                       body=body, idempotency_key=key, own_credentials=own_credentials, token_url=token_url,
                       client_id=client_id)
