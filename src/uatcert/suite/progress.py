"""
Progress events of a run, for the live display of `uatcert run` (`uatcert.progress` renders them).

The suite plugin registers `ProgressWriter` when pytest gets `--uatcert-progress=FILE`; it appends one JSON
object per line to that file: the number of scenarios collected, then each scenario's start and finish with
its requirement, product and outcome. Every line is written with one `write` on a file opened for appending,
so several pytest processes (workers) can share the file without mixing their lines.

    {"event": "collected", "total": 67, "t": 1764630000.1}
    {"event": "start", "nodeid": "...", "requirement": "ISS-EVERY", "product": "MAMVDDMMYY01", "t": ...}
    {"event": "finish", "nodeid": "...", "requirement": "ISS-EVERY", "product": "MAMVDDMMYY01",
     "outcome": "passed", "t": ...}
    {"event": "note", "text": "uatcert: 4 workers: ...", "t": ...}   (a line for the run's summary)
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from uatcert.suite.requirements import requirement_of
from uatcert.suite.scenario import NO_EXAMPLE, example_of

PROGRESS_FILE = "progress.jsonl"
COLLECTED, START, FINISH, NOTE = "collected", "start", "finish", "note"


def append_event(path: Path, event: dict[str, Any]) -> None:
    """Append one event as one line (a single write of a file opened with O_APPEND)."""
    line = (json.dumps({**event, "t": round(time.time(), 3)}, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def scenario_fields(item: pytest.Item) -> dict[str, Any]:
    """What the display shows of a scenario: its node id, requirement and product (None when it has none)."""
    requirement = requirement_of([m.name for m in item.iter_markers()])
    code = example_of(item).get("code")
    return {"nodeid": item.nodeid, "requirement": requirement.id if requirement else None,
            "product": code if code and code != NO_EXAMPLE else None}


class ProgressWriter:
    """pytest hooks writing the run's progress events; `outcome_of(nodeid)` gives the recorded outcome."""

    def __init__(self, path: Path, outcome_of: Callable[[str], str | None]) -> None:
        self.path = path
        self.outcome_of = outcome_of
        path.parent.mkdir(parents=True, exist_ok=True)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:  # an xdist controller collects nothing: each worker reports the same total
            append_event(self.path, {"event": COLLECTED, "total": len(session.items)})

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        fields = scenario_fields(item)
        append_event(self.path, {"event": START, **fields})
        try:
            return (yield)
        finally:
            append_event(self.path, {"event": FINISH, **fields, "outcome": self.outcome_of(item.nodeid) or "broken"})
