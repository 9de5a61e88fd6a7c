"""
The live progress of `uatcert run`: the suite's pytest process appends events to `reports/progress.jsonl`
(`uatcert.suite.progress`); `follow_run` starts that process, follows the file while it runs and shows

- on a terminal, a rich progress display: requirement, scenarios done of total, current product,
  outcomes so far, elapsed and estimated time left;
- elsewhere (CI logs), a plain line every `PLAIN_INTERVAL_S` seconds and at every tenth of the run.

pytest's own output is shown only with `--verbose` (then instead of the display); otherwise it is kept,
and its last lines are printed when pytest ends abnormally (usage error, internal error, interrupted).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from uatcert.suite.progress import COLLECTED, FINISH, NOTE, START

PLAIN_INTERVAL_S = 10.0
PLAIN_STEPS = 10
"""Besides every PLAIN_INTERVAL_S, a plain line each time another tenth of the scenarios is done."""
POLL_S = 0.2
OUTPUT_TAIL = 40
"""Lines of pytest's own output kept for an abnormal end."""
NORMAL_EXITS = (0, 1)
"""pytest exit codes of a run that went through (all passed / some failed): its output is not needed."""
OUTCOME_ORDER = ("passed", "failed", "broken", "not_applicable", "skipped")


@dataclasses.dataclass
class RunProgress:
    """What the events said so far."""

    total: int | None = None
    done: int = 0
    outcomes: dict[str, int] = dataclasses.field(default_factory=dict)
    running: dict[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)
    """Scenarios started and not finished (one per pytest process), by node id, in start order."""
    last: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    """Lines the suite asked to show with the summary (e.g. the workers' figures)."""

    def apply(self, event: Mapping[str, Any]) -> None:
        kind = event.get("event")
        if kind == COLLECTED and isinstance(event.get("total"), int):
            self.total = max(self.total or 0, event["total"])
        elif kind == START:
            self.running[str(event.get("nodeid"))] = event
            self.last = event
        elif kind == FINISH:
            self.running.pop(str(event.get("nodeid")), None)
            self.done += 1
            outcome = str(event.get("outcome") or "broken")
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            self.last = event
        elif kind == NOTE and isinstance(event.get("text"), str):
            self.notes.append(event["text"])

    @property
    def current(self) -> Mapping[str, Any]:
        """The scenario most recently started that is still running (else the last one seen)."""
        return next(reversed(self.running.values()), self.last)

    @property
    def requirement(self) -> str:
        return str(self.current.get("requirement") or "")

    @property
    def product(self) -> str:
        return str(self.current.get("product") or "")

    def remaining_s(self, elapsed_s: float) -> float | None:
        """Time left at the pace so far (None before the first finish or without a total)."""
        if not self.total or not self.done:
            return None
        return elapsed_s / self.done * max(0, self.total - self.done)

    def outcomes_text(self) -> str:
        order = [o for o in OUTCOME_ORDER if o in self.outcomes] + sorted(set(self.outcomes) - set(OUTCOME_ORDER))
        return ", ".join(f"{self.outcomes[o]} {o.replace('_', ' ')}" for o in order)

    def line(self, elapsed_s: float) -> str:
        """The plain line of the non-terminal display."""
        if self.total is None and not self.done:
            return f"progress: collecting the scenarios · {clock(elapsed_s)} elapsed"
        total = "?" if self.total is None else str(self.total)
        parts = [f"progress: {self.done}/{total} scenarios"]
        if self.outcomes:
            parts[0] += f" ({self.outcomes_text()})"
        if self.requirement:
            parts.append(self.requirement + (f" {self.product}" if self.product else ""))
        timing = f"{clock(elapsed_s)} elapsed"
        remaining = self.remaining_s(elapsed_s)
        if remaining is not None and self.done < (self.total or 0):
            timing += f", about {clock(remaining)} left"
        parts.append(timing)
        return " · ".join(parts)


def clock(seconds: float) -> str:
    return str(dt.timedelta(seconds=round(seconds)))


class EventReader:
    """Reads the complete lines appended to an events file since the last read (a partial last line waits)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.pending = b""

    def read(self) -> list[dict[str, Any]]:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        self.offset += len(chunk)
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        events = []
        for raw in lines:
            try:
                event = json.loads(raw)
            except ValueError:
                continue  # not ours (or damaged): the display skips it, the evidence does not depend on it
            if isinstance(event, dict):
                events.append(event)
        return events


class Display(Protocol):
    def update(self, state: RunProgress, elapsed_s: float) -> None: ...
    def close(self, state: RunProgress, elapsed_s: float) -> None: ...


class PlainDisplay:
    """Periodic plain lines (CI logs): every `interval_s`, at every `1/steps` of the total, and at the end."""

    def __init__(self, out: TextIO, *, interval_s: float = PLAIN_INTERVAL_S, steps: int = PLAIN_STEPS) -> None:
        self.out = out
        self.interval_s = interval_s
        self.steps = steps
        self.printed_at = 0.0
        self.step = 0
        self.announced = False

    def update(self, state: RunProgress, elapsed_s: float) -> None:
        if state.total is not None and not self.announced:
            self.announced = True
            self._print(f"progress: running {state.total} scenarios", elapsed_s)
        step = state.done * self.steps // state.total if state.total else 0
        if step > self.step or elapsed_s - self.printed_at >= self.interval_s:
            self.step = max(self.step, step)
            self._print(state.line(elapsed_s), elapsed_s)

    def close(self, state: RunProgress, elapsed_s: float) -> None:
        outcomes = f" ({state.outcomes_text()})" if state.outcomes else ""
        self._print(f"progress: {state.done} scenarios run{outcomes} in {clock(elapsed_s)}", elapsed_s)

    def _print(self, text: str, elapsed_s: float) -> None:
        self.printed_at = elapsed_s
        self.out.write(text + "\n")
        self.out.flush()


class RichDisplay:
    """The terminal display: one live progress bar, left on screen when the run ends."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.fields[requirement]:<13}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TextColumn("scenarios"),
            TextColumn("[cyan]{task.fields[product]:<24}"),
            TextColumn("{task.fields[outcomes]}"),
            TimeElapsedColumn(),
            TextColumn("elapsed, left"),
            TimeRemainingColumn(),
            console=console,
            refresh_per_second=4,
        )
        self.task: TaskID = self.progress.add_task("scenarios", total=None, requirement="collecting",
                                                   product="", outcomes="")
        self.progress.start()

    def update(self, state: RunProgress, elapsed_s: float) -> None:
        failed = state.outcomes.get("failed", 0) + state.outcomes.get("broken", 0)
        outcomes = f"[red]{failed} failed or broken[/red]" if failed else ""
        self.progress.update(self.task, total=state.total, completed=state.done,
                             requirement=state.requirement or ("collecting" if state.total is None else "starting"),
                             product=state.product, outcomes=outcomes)

    def close(self, state: RunProgress, elapsed_s: float) -> None:
        self.update(state, elapsed_s)
        self.progress.stop()


def display_for(out: TextIO, *, verbose: bool) -> Display | None:
    """The rich display on a terminal, plain lines elsewhere; none with --verbose (pytest speaks)."""
    if verbose:
        return None
    console = Console(file=out)
    return RichDisplay(console) if console.is_terminal else PlainDisplay(out)


def replay(events: Iterable[Mapping[str, Any]], display: Display, times: Iterable[float]) -> RunProgress:
    """Feed events to a display, each at the elapsed time given (what `follow_run` does live)."""
    state = RunProgress()
    elapsed = 0.0
    for event, elapsed in zip(events, times, strict=True):
        state.apply(event)
        display.update(state, elapsed)
    display.close(state, elapsed)
    return state


def _drain(stream: IO[str], keep: collections.deque[str]) -> None:
    for line in stream:
        keep.append(line)


def follow_run(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    events: Path,
    out: TextIO,
    verbose: bool = False,
    err: TextIO | None = None,
    display: Display | None = None,
    clock_s: Callable[[], float] = time.monotonic,
    pass_fds: Sequence[int] = (),
) -> int:
    """Run the suite's pytest `command` while showing its progress; returns pytest's exit code.
    `pass_fds` are inherited by the pytest process."""
    err = err or sys.stderr
    shown = display or display_for(out, verbose=verbose)
    if shown is None:
        return subprocess.call(list(command), env=dict(env), pass_fds=tuple(pass_fds))
    tail: collections.deque[str] = collections.deque(maxlen=OUTPUT_TAIL)
    reader, state, started = EventReader(events), RunProgress(), clock_s()
    with subprocess.Popen(list(command), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace", pass_fds=tuple(pass_fds)) as process:
        assert process.stdout is not None
        drain = threading.Thread(target=_drain, args=(process.stdout, tail), name="pytest-output", daemon=True)
        drain.start()
        try:
            while True:
                finished = process.poll() is not None
                for event in reader.read():
                    state.apply(event)
                shown.update(state, clock_s() - started)
                if finished:
                    break
                time.sleep(POLL_S)
        except BaseException:
            process.terminate()
            process.wait(timeout=30)
            raise
        finally:
            shown.close(state, clock_s() - started)
            drain.join(timeout=5)
    code = process.returncode
    for note in state.notes:
        out.write(note + "\n")
    if code not in NORMAL_EXITS and tail:
        err.write(f"pytest ended with exit code {code}; its last lines:\n" + "".join(tail))
    return code
