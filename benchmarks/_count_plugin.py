"""A pytest plugin the benchmarks load into the suite's pytest process (`-p _count_plugin`): before the
run's sandbox stops, it writes how many provider API requests the sandbox served to the file named by
`UATCERT_BENCH_COUNTS` (JSON: {api: count}), and the throttle's peak of requests in flight."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from uatcert.suite.runtime import runtime_of


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    target = os.environ.get("UATCERT_BENCH_COUNTS")
    if not target:
        return
    runtime = runtime_of(config)
    requests = dict(runtime.sandbox_server().app.state.sandbox.api_requests)  # type: ignore[attr-defined]
    figures = {"requests": requests, "peak_in_flight": runtime.throttle.peak,
               "dispatched_ahead": runtime.ahead.dispatched}
    Path(target).write_text(json.dumps(figures), encoding="utf-8")
