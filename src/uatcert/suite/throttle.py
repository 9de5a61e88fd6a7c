"""
The run's cap on concurrent calls to the provider, and its shared back-off after a 429.

Every client of the run sends through a `ThrottledTransport` sharing the run's one `Throttle`:

- at most `limit` requests (the `--workers` setting) are in flight at once from the run's own threads
  (the main thread and the pool of calls dispatched ahead), whatever client sends them;
- a 429 answer pauses *every* thread of the run until the wait the provider asked for (`Retry-After`,
  else one second) has passed; the client that got it retries on its own (its retry policy), so
  concurrency never multiplies the load on a provider that asked for less.

A scenario's own concurrent requests (the race scenarios, which must overlap to prove anything) are
sent from threads of their own: they are not capped, and nothing else is in flight while they run.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time
from collections.abc import Callable, Iterator

import httpx

from uatcert.suite.ahead import POOL_THREAD_PREFIX

DEFAULT_PAUSE_S = 1.0
MAX_PAUSE_S = 60.0


def retry_after_s(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


class Throttle:
    """A cap of `limit` requests in flight and a run-wide pause after a 429."""

    def __init__(
        self, limit: int, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self.limit = limit
        self._slots = threading.BoundedSemaphore(limit)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._paused_until = 0.0
        self.in_flight = 0
        self.peak = 0
        """Most requests in flight at once so far (capped threads only)."""
        self.pauses = 0
        """429 answers that paused the run."""

    @staticmethod
    def applies() -> bool:
        """True on the threads the cap governs: the main thread and the pool's."""
        thread = threading.current_thread()
        return thread is threading.main_thread() or thread.name.startswith(POOL_THREAD_PREFIX)

    def pause(self, seconds: float | None) -> None:
        """Hold every capped thread back for `seconds` (the provider's `Retry-After`; default one second)."""
        wait = min(MAX_PAUSE_S, DEFAULT_PAUSE_S if seconds is None else max(0.0, seconds))
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + wait)
            self.pauses += 1

    def _wait_pause(self) -> None:
        while True:
            with self._lock:
                left = self._paused_until - self._clock()
            if left <= 0:
                return
            self._sleep(left)

    @contextlib.contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the `limit` slots for one request (after any pause), on a capped thread."""
        if not self.applies():
            yield
            return
        self._wait_pause()
        with self._slots:
            with self._lock:
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= 1


class ThrottledTransport(httpx.BaseTransport):
    """Sends through `inner` (default `httpx.HTTPTransport()`) within the throttle's cap, the answer read whole."""

    def __init__(self, throttle: Throttle, inner: httpx.BaseTransport | None = None) -> None:
        self.throttle = throttle
        self.inner = inner if inner is not None else httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.throttle.slot():
            response = self.inner.handle_request(request)
            try:
                response.read()
            except BaseException:
                response.close()
                raise
        if response.status_code == 429:
            self.throttle.pause(retry_after_s(response.headers.get("retry-after")))
        return response

    def close(self) -> None:
        self.inner.close()
