"""Fault injection: armed through the control API, matched on API routes by method and path regex."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

FaultKind = Literal["commit_then_500", "commit_then_drop", "slow_commit", "fail_before_commit", "rate_limit", "partial"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

BUILTIN_APIS: dict[str, str] = {"/v3/": "v3", "/oauth2/": "token"}
"""Path prefix -> API name that faults can target in every sandbox; `create_app` registers the others."""

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "*")


class FaultSpec(BaseModel):
    """What to inject and on which requests (body of POST /__sandbox/faults)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    kind: FaultKind
    api: str = "v3"
    method: str = "POST"
    path: str = ""
    """Regex searched in the request path (e.g. "^/v3/products/MAMVDDMMYY01$"); "" matches every path."""
    times: int = Field(default=1, ge=1, le=10_000)
    nth: int = Field(default=1, ge=1)
    """The first matching request that fires: 1 = the first one (as `uatcert.faults.FaultTransport` counts)."""
    delay_s: float | None = Field(default=None, ge=0, le=600)
    retry_after: int | None = Field(default=None, ge=0, le=86_400)
    status: int | None = None
    count: int | None = Field(default=None, ge=0)

    @field_validator("api")
    @classmethod
    def _known_api(cls, value: str, info: ValidationInfo) -> str:
        """Validated against the app's registered APIs (`context={"apis": FaultBook.apis}`)."""
        registered: dict[str, str] = (info.context or {}).get("apis", BUILTIN_APIS)
        apis = sorted(set(registered.values()))
        if value not in apis:
            raise ValueError(f"unknown api {value!r}; choose one of: {', '.join(apis)}")
        return value

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value.upper() not in METHODS:
            raise ValueError(f"method must be one of: {', '.join(METHODS)}")
        return value.upper()

    @field_validator("path")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"path is not a valid regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _kind_options(self) -> FaultSpec:
        allowed = {
            "delay_s": ("slow_commit",),
            "retry_after": ("rate_limit",),
            "status": ("fail_before_commit", "commit_then_500"),
            "count": ("partial",),
        }
        for option, kinds in allowed.items():
            if getattr(self, option) is not None and self.kind not in kinds:
                raise ValueError(f"{option} applies only to kind {' / '.join(kinds)}")
        if self.status is not None and not 500 <= self.status <= 599:
            raise ValueError("status must be a 5xx status (500-599)")
        return self


@dataclasses.dataclass
class Fault:
    """An armed fault and its counters."""

    id: int
    spec: FaultSpec
    pattern: re.Pattern[str]
    matched: int = 0
    fired: int = 0
    holding: int = 0
    """Requests currently held by this slow_commit fault."""
    released: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)

    async def hold(self, default_delay_s: float) -> None:
        """slow_commit: wait delay_s, or less if the fault is cleared (clear/reset releases holds)."""
        delay = default_delay_s if self.spec.delay_s is None else self.spec.delay_s
        self.holding += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), delay)
        finally:
            self.holding -= 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.spec.model_dump(),
            "matched": self.matched,
            "fired": self.fired,
            "remaining": self.spec.times - self.fired,
            "holding": self.holding,
        }


class FaultBook:
    """The armed faults, in arming order, and the APIs they can target."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self.apis: dict[str, str] = dict(BUILTIN_APIS)
        """Path prefix -> API name that faults can target (the control API is never a target)."""

    def register_api(self, prefix: str, name: str) -> None:
        """Let faults target the routes under `prefix` as API `name` (e.g. "/v2/", "v2")."""
        self.apis[prefix] = name

    def api_of(self, path: str) -> str | None:
        """The API a request path belongs to, or None (control API, unknown paths)."""
        return next((api for prefix, api in self.apis.items() if path.startswith(prefix)), None)

    def arm(self, spec: FaultSpec) -> Fault:
        fault = Fault(self._next_id, spec, re.compile(spec.path))
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def all(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        """Disarm every fault and release the requests slow_commit is holding."""
        for fault in self._faults:
            fault.released.set()
        self._faults.clear()

    def take(self, api: str, method: str, path: str) -> Fault | None:
        """Count this request on every matching fault; the first one that is due (its `nth` match or
        later, `times` not used up) fires."""
        chosen = None
        for fault in self._faults:
            spec = fault.spec
            if spec.api != api or spec.method not in ("*", method) or not fault.pattern.search(path):
                continue
            fault.matched += 1
            if chosen is None and fault.matched >= spec.nth and fault.fired < spec.times:
                fault.fired += 1
                chosen = fault
        return chosen
