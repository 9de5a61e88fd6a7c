"""The fault plan: which requests get which fault, matched by API, operation and 1-based occurrence."""

from __future__ import annotations

import dataclasses
import math
import threading
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from uatcert.errors import ConfigError

FaultKind = Literal["lose_response", "drop_request", "error_after_commit", "hold", "rate_limit",
                    "expire_token", "reset"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)

OPERATIONS: dict[str, tuple[str, ...]] = {
    "v3": ("token", "list_products", "get_product", "issue", "list_vouchers", "get_voucher"),
    "v2": ("token", "issue", "check"),
    "allsafe": ("availability", "allocate"),
}
"""The operations the proxy tells apart per API; any other request of that API is operation "other"."""
OTHER = "other"

FORWARDED_BEFORE_FAULT = frozenset({"lose_response", "error_after_commit", "hold"})
"""Kinds applied after the upstream answered (the request was really forwarded)."""

_FIELDS = ("kind", "api", "operation", "nth", "times", "status", "retry_after_s", "hold_s")
_ONLY_FOR = {"status": "error_after_commit", "retry_after_s": "rate_limit", "hold_s": "hold"}


@dataclasses.dataclass(frozen=True)
class Fault:
    """One fault: `kind` for the `nth` to `nth + times - 1`-th requests matching `api` and `operation`."""

    kind: FaultKind
    api: str | None = None
    """"v3" | "v2" | "allsafe"; None: any API."""
    operation: str | None = None
    """One of `OPERATIONS[api]` or "other"; None: any operation."""
    nth: int = 1
    times: int = 1
    status: int = 500
    """error_after_commit only: the status the system gets (5xx)."""
    retry_after_s: int = 1
    """rate_limit only: the Retry-After value in seconds."""
    hold_s: float = 2.0
    """hold only: how long the answer is held back."""

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem is not None:
            field, message = problem
            raise ValueError(f"{field}: {message}")

    def matches(self, api: str, operation: str) -> bool:
        return (self.api is None or self.api == api) and (self.operation is None or self.operation == operation)

    def describe(self) -> str:
        where = f"{self.api or 'any API'} {self.operation or 'any operation'}"
        span = f"request {self.nth}" if self.times == 1 else f"requests {self.nth}-{self.nth + self.times - 1}"
        return f"{self.kind} on {where}, {span}"


def _problem(fault: Fault) -> tuple[str, str] | None:
    if fault.kind not in FAULT_KINDS:
        return "kind", f"unknown fault kind {fault.kind!r}; choose one of: {', '.join(FAULT_KINDS)}"
    if fault.api is not None and fault.api not in OPERATIONS:
        return "api", f"unknown API {fault.api!r}; choose one of: {', '.join(OPERATIONS)}"
    if fault.operation is not None:
        known = sorted({op for ops in OPERATIONS.values() for op in ops} | {OTHER}) if fault.api is None else [
            *OPERATIONS[fault.api], OTHER]
        if fault.operation not in known:
            return "operation", f"unknown operation {fault.operation!r}; choose one of: {', '.join(known)}"
    for name, low in (("nth", 1), ("times", 1)):
        value = getattr(fault, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            return name, f"must be a whole number of at least {low}, got {value!r}"
    if isinstance(fault.status, bool) or not isinstance(fault.status, int) or not 500 <= fault.status <= 599:
        return "status", f"must be a 5xx status (500-599), got {fault.status!r}"
    if (isinstance(fault.retry_after_s, bool) or not isinstance(fault.retry_after_s, int)
            or not 0 <= fault.retry_after_s <= 86_400):
        return "retry_after_s", f"must be whole seconds from 0 to 86400, got {fault.retry_after_s!r}"
    hold = fault.hold_s
    if isinstance(hold, bool) or not isinstance(hold, int | float) or not math.isfinite(hold) or not 0 <= hold <= 600:
        return "hold_s", f"must be seconds from 0 to 600, got {hold!r}"
    return None


@dataclasses.dataclass(frozen=True)
class FaultPlan:
    """The faults to apply, in order: the first one that fires on a request wins."""

    faults: tuple[Fault, ...] = ()

    @classmethod
    def load(cls, path: Path) -> FaultPlan:
        """Read a TOML plan (`[[fault]]` tables); ConfigError naming the file and the field on bad input."""
        path = Path(path)
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"fault plan {path}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"fault plan {path}: cannot read it ({exc})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"fault plan {path}: not valid TOML: {exc}") from None
        return cls.from_document(document, source=str(path))

    @classmethod
    def from_document(cls, document: Mapping[str, Any], *, source: str = "fault plan") -> FaultPlan:
        """Build a plan from a parsed document `{"fault": [{...}, ...]}`; ConfigError naming `source`."""
        unknown = sorted(set(document) - {"fault"})
        if unknown:
            raise ConfigError(f"fault plan {source}: unknown top-level key {unknown[0]!r} (only [[fault]] tables)")
        tables = document.get("fault", [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            raise ConfigError(f"fault plan {source}: 'fault' must be an array of tables ([[fault]])")
        return cls(tuple(_fault_of(table, index, source) for index, table in enumerate(tables, 1)))

    def describe(self) -> list[str]:
        return [fault.describe() for fault in self.faults] or ["no fault: every request is forwarded"]


def _fault_of(table: Mapping[str, Any], index: int, source: str) -> Fault:
    where = f"fault plan {source}: fault {index}"
    unknown = sorted(set(table) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r}; the fields are: {', '.join(_FIELDS)}")
    if "kind" not in table:
        raise ConfigError(f"{where}: field 'kind' is required ({', '.join(FAULT_KINDS)})")
    for name, kind in _ONLY_FOR.items():
        if name in table and table["kind"] != kind:
            raise ConfigError(f"{where}: field {name!r} applies only to kind {kind!r}")
    for name in ("kind", "api", "operation"):
        if name in table and not isinstance(table[name], str):
            raise ConfigError(f"{where}: field {name!r} must be a string, got {table[name]!r}")
    try:
        return Fault(**table)
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise ConfigError(f"{where}: field {field!r} {message}") from None


class PlanCounter:
    """The occurrence counters of a plan: thread-safe, one count per fault of the requests it matched."""

    def __init__(self, plan: FaultPlan) -> None:
        self._lock = threading.Lock()
        self._plan = plan
        self._seen = [0] * len(plan.faults)

    @property
    def plan(self) -> FaultPlan:
        return self._plan

    def reset(self, plan: FaultPlan) -> None:
        with self._lock:
            self._plan = plan
            self._seen = [0] * len(plan.faults)

    def fault_for(self, api: str, operation: str) -> Fault | None:
        """Count this request for every fault it matches; the first fault whose window it falls in, if any."""
        chosen: Fault | None = None
        with self._lock:
            for index, fault in enumerate(self._plan.faults):
                if not fault.matches(api, operation):
                    continue
                self._seen[index] += 1
                if chosen is None and fault.nth <= self._seen[index] < fault.nth + fault.times:
                    chosen = fault
        return chosen
