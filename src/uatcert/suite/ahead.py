"""
Calls dispatched ahead: how `uatcert run --workers N` overlaps the provider's latency.

pytest runs one scenario at a time (it is not thread-safe), so the scenarios themselves stay serial, in
their order. With N > 1 workers, the provider calls of the next scenarios of the same outline (one
example per product: retrieve it, issue it, read its vouchers back) are made ahead on a pool of N
threads while the current scenario runs. Each scenario's step then *takes* its own result (or its
error, raised again where the step would have met it) together with the exchanges of that call, which
reach the exchange log and the Allure step only then, on the main thread, as if the step had made
the call itself. Run-wide observers (ledger, issued register, redactor, production budget) see each
call when it is made; they are thread-safe.

- Work is planned only from the items that will run (after selection), for the items of the current
  outline's block, never past it: when the last example of an outline ends, nothing is in flight, so
  a scenario that arms faults or counts issuances never overlaps work of another scenario.
- A result its scenario never took (a step before it failed) is still awaited at that scenario's
  teardown and its exchanges attached there: every call of the run reaches the evidence.
- With one worker (the default) nothing is dispatched: every step makes its own call, as it always did.
- `map` runs one step's own independent calls (e.g. every voucher of the run read back) on the pool and
  hands the results back in order, exchanges in the same order.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from uatcert.events import Exchange

T = TypeVar("T")
Key = Hashable
Deliver = Callable[[Exchange], None]

POOL_THREAD_PREFIX = "uatcert-ahead"
"""Name prefix of the pool's threads (the throttle caps them like the main thread)."""
WINDOW_PER_WORKER = 4
"""How many scenarios ahead of the current one are planned, per worker."""

_local = threading.local()


def defer(deliver: Deliver, exchange: Exchange) -> bool:
    """Called by a scenario-scoped observer: inside work done ahead, keep the exchange for the scenario
    that takes the result (True: kept; the observer must not record it now)."""
    task: _Task | None = getattr(_local, "task", None)
    if task is None:
        return False
    with task.lock:
        task.deferred.append((deliver, exchange))
    return True


@dataclasses.dataclass(frozen=True)
class Call:
    """One call a scenario will make: its key (what the step asks for), the call, and what follows from
    its result (e.g. reading back the vouchers an issuance returned)."""

    key: Key
    run: Callable[[], Any]
    then: Callable[[Any], Sequence[Call]] | None = None


@dataclasses.dataclass(eq=False)
class _Task:
    key: Key
    owner: Hashable
    future: Future[Any] = dataclasses.field(default_factory=Future)
    deferred: list[tuple[Deliver, Exchange]] = dataclasses.field(default_factory=list)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


Planner = Callable[[Any], Sequence[Call]]
"""What the calls of one planned scenario are, given its handle (the plugin passes the pytest item)."""


class Ahead:
    """The bounded pool of one run and the results waiting for their scenarios."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=POOL_THREAD_PREFIX) if workers > 1 else None
        self._lock = threading.Lock()
        self._tasks: dict[Key, _Task] = {}
        self._by_owner: dict[Hashable, list[_Task]] = {}
        self._planned: set[Hashable] = set()
        self.dispatched = 0
        """Calls made ahead so far (for the run's figures)."""

    @property
    def enabled(self) -> bool:
        return self._pool is not None

    # planning ------------------------------------------------------------------------------------
    def plan(self, owners: Iterable[tuple[Hashable, Callable[[], Sequence[Call]]]]) -> None:
        """Dispatch the calls of each owner (a scenario still to run) not planned yet."""
        if self._pool is None:
            return
        for owner, calls in owners:
            with self._lock:
                if owner in self._planned:
                    continue
                self._planned.add(owner)
            for call in calls():
                self._submit(owner, call)

    def _submit(self, owner: Hashable, call: Call) -> None:
        assert self._pool is not None
        task = _Task(call.key, owner)
        with self._lock:
            if call.key in self._tasks:
                return  # asked twice: the first one stands
            self._tasks[call.key] = task
            self._by_owner.setdefault(owner, []).append(task)
            self.dispatched += 1
        self._pool.submit(self._run, task, call)

    def _run(self, task: _Task, call: Call) -> None:
        _local.task = task
        try:
            result = call.run()
        except BaseException as exc:  # noqa: BLE001 - handed to the step that takes it, raised there
            task.future.set_exception(exc)
            return
        finally:
            _local.task = None
        task.future.set_result(result)
        if call.then is not None:
            try:
                follow = call.then(result)
            except Exception:  # noqa: BLE001 - the step makes such calls itself then
                follow = ()
            for next_call in follow:
                self._submit(task.owner, next_call)

    # taking ----------------------------------------------------------------------------------------
    def take(self, key: Key, call: Callable[[], T]) -> T:
        """The result of `key` made ahead (its exchanges delivered now, its error raised now), or else
        `call()` made here and now."""
        with self._lock:
            task = self._tasks.pop(key, None)
            if task is not None:
                self._by_owner.get(task.owner, []).remove(task)
        if task is None:
            return call()
        try:
            return task.future.result()  # type: ignore[no-any-return]
        finally:
            _deliver(task)

    def map(self, calls: Sequence[tuple[Key, Callable[[], T]]]) -> list[Callable[[], T]]:
        """One step's own independent calls made on the pool; each returned thunk gives its result (or
        raises its error) and delivers its exchanges, to be called in order. Serially without a pool."""
        if self._pool is None:
            return [call for _, call in calls]
        owner = ("map", object())
        for key, call in calls:
            self._submit(owner, Call(key, call))
        return [functools.partial(self.take, key, call) for key, call in calls]

    def settle(self, owner: Hashable) -> None:
        """Await what was made ahead for `owner` and never taken; deliver its exchanges (its teardown)."""
        while True:
            with self._lock:
                tasks = self._by_owner.pop(owner, [])
                for task in tasks:
                    self._tasks.pop(task.key, None)
            if not tasks:
                return
            for task in tasks:
                try:
                    task.future.exception()
                finally:
                    _deliver(task)

    def pending(self) -> int:
        with self._lock:
            return len(self._tasks)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=False)


def _deliver(task: _Task) -> None:
    with task.lock:
        deferred, task.deferred = task.deferred, []
    for deliver, exchange in deferred:
        deliver(exchange)


# plans ---------------------------------------------------------------------------------------------
ScenarioPlanner = Callable[[Any, dict[str, str], Sequence[str]], Sequence[Call]]
"""The calls one example of an outline will make: given the run's runtime, the example's row and the
texts of its steps (placeholders filled in)."""

_PLANNERS: dict[tuple[str, str], ScenarioPlanner] = {}


def plans(api: str, scenario: str) -> Callable[[ScenarioPlanner], ScenarioPlanner]:
    """Declare (in a steps module) the calls of the outline named `scenario` (its Gherkin name with the
    <placeholders>) of `api`'s features, made ahead with more than one worker; the outline's steps take
    them with the same keys."""

    def register(planner: ScenarioPlanner) -> ScenarioPlanner:
        _PLANNERS[(api, scenario)] = planner
        return planner

    return register


def planner_of(api: str, scenario: str) -> ScenarioPlanner | None:
    return _PLANNERS.get((api, scenario))
