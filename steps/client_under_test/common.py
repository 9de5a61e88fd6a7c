"""What the client-under-test steps of every API share: running the system once and failing a judgement."""

from __future__ import annotations

from collections.abc import Sequence

from uatcert.suite.checks import Check
from uatcert.suite.wings.cut.judges import Judgement
from uatcert.suite.wings.cut.records import SystemRun
from uatcert.suite.wings.cut.scenario import CutScenario


def run_system(cut: CutScenario, check: Check, args: Sequence[str], instructions: str,
               credentials: dict[str, str] | None = None) -> SystemRun:
    """Run the integrator's system once; a run past its timeout (or, interactively, no issuance) is a finding."""
    run = cut.run(args, instructions, credentials)
    if run.timed_out:
        limit = cut.target.timeout_s if cut.target.trigger else cut.target.interactive_wait_s
        what = "the trigger command finishing" if cut.target.trigger else "the system issuing through the proxy"
        check.fail(f"{what} within {limit:g} s", "killed when its time ran out" if cut.target.trigger
                   else "nothing seen by the proxy")
    return run


def judged(check: Check, judgement: Judgement) -> None:
    check.that(judgement.ok, judgement.expected, judgement.got)


def last_run(cut: CutScenario) -> SystemRun:
    if not cut.runs:
        raise RuntimeError("a client-under-test judgement before the system ran")
    return cut.runs[-1]


def whole_scenario(runs: Sequence[SystemRun]) -> SystemRun:
    """The scenario's runs as one: the last one's report, the first one's start."""
    last = runs[-1]
    return SystemRun(last.exit_code, last.printed, runs[0].started_at, last.finished_at, last.timed_out, last.stderr)
