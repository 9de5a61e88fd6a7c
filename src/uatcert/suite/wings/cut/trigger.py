"""
How the integrator's system is driven, once per scenario: its trigger command (run with the proxy's
addresses and the credentials in its environment and the scenario's arguments, killed past its timeout),
or, with no trigger, the interactive mode (what to do is printed; the proxy is watched, bounded, until
the system has issued and gone quiet).
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence

from uatcert.errors import UatCertError
from uatcert.suite.wings.cut.records import ISSUING, Seen, SystemRun

QUIET_S = 3.0
"""Interactive mode: the system counts as done this long after its last request (once it issued)."""


class TriggerError(UatCertError):
    """The trigger command could not be started (a harness problem, not the system's behaviour)."""


def system_environment(values: Mapping[str, str]) -> dict[str, str]:
    """The trigger's environment: this process's, without uatcert's own settings, plus `values`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
    env.update(values)
    return env


def run_trigger(command: str, args: Sequence[str], values: Mapping[str, str], timeout_s: float) -> SystemRun:
    """Run `command ARGS...` once; a run past `timeout_s` is killed (its whole process group)."""
    argv = [*shlex.split(command), *args]
    started = time.monotonic()
    try:
        process = subprocess.Popen(argv, env=system_environment(values), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
    except (OSError, ValueError) as exc:
        raise TriggerError(f"cannot start the trigger command {argv[0]!r}: {exc}") from None
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = process.communicate()
    finished = time.monotonic()
    return SystemRun(
        exit_code=None if timed_out else process.returncode,
        printed=tuple(line.strip() for line in out.splitlines() if line.strip()),
        started_at=started, finished_at=finished, timed_out=timed_out, stderr=err[-2000:],
    )


def wait_interactively(instructions: str, records: Callable[[], Sequence[Seen]], timeout_s: float,
                       say: Callable[[str], None], quiet_s: float = QUIET_S) -> SystemRun:
    """Tell the integrator what to do in the system (`say` reaches the terminal), then watch the proxy until the
    system issued and went quiet (or time ran out)."""
    say(f"\n>>> In your system: {instructions}\n>>> (waiting up to {timeout_s:g} s for its requests)\n")
    started = time.monotonic()
    deadline = started + timeout_s
    while time.monotonic() < deadline:
        seen = records()
        if any(r.operation in ISSUING for r in seen) and time.monotonic() - max(r.received_at for r in seen) > quiet_s:
            return SystemRun(None, (), started, time.monotonic())
        time.sleep(0.2)
    return SystemRun(None, (), started, time.monotonic(), timed_out=not any(r.operation in ISSUING for r in records()))
