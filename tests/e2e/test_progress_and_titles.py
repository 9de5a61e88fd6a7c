"""What a run over every API shows when its output is not a terminal (CI): periodic progress lines instead
of pytest's output, progress events matching the results, and titles naming every API and its target."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import Run
from uatcert import __version__

EVERY_API = ("UNIQREWARDS Client API v3, UNIQREWARDS Client API v2 and AllSafe Redemption API on embedded sandbox")


def test_a_run_outside_a_terminal_prints_plain_progress_lines(certified_run: Run) -> None:
    total = len(certified_run.results.scenarios)
    lines = [line for line in certified_run.stdout.splitlines()
             if line.startswith("progress: ") and not line.startswith("progress: collecting")]  # a slow collection
    assert lines[0] == f"progress: running {total} scenarios"
    assert re.fullmatch(rf"progress: {total} scenarios run \({total} passed\) in \d+:\d\d:\d\d", lines[-1])
    middle = [re.match(r"progress: (\d+)/(\d+) scenarios", line) for line in lines[1:-1]]
    assert all(m is not None and int(m.group(2)) == total for m in middle)
    done = [int(m.group(1)) for m in middle if m]
    assert done == sorted(done) and len(done) >= 5  # every tenth of the run at least (and every 10 s)
    assert len(lines) < total // 4  # periodic, not one line per scenario
    assert " passed in " not in certified_run.stdout  # pytest's own summary line is behind --verbose


def test_the_progress_events_match_the_recorded_results(certified_run: Run) -> None:
    events = [json.loads(line) for line in (certified_run.reports / "progress.jsonl").read_text().splitlines()]
    assert [e["total"] for e in events if e["event"] == "collected"] == [len(certified_run.results.scenarios)]
    finished = {e["nodeid"]: e for e in events if e["event"] == "finish"}
    started = {e["nodeid"] for e in events if e["event"] == "start"}
    recorded = {s.nodeid: s for s in certified_run.results.scenarios}
    assert started == set(finished) == set(recorded)
    for nodeid, scenario in recorded.items():
        event = finished[nodeid]
        assert (event["requirement"], event["product"], event["outcome"]) == (
            scenario.requirement, scenario.product, scenario.outcome)


def test_summary_certificate_and_report_name_every_api_and_its_target(certified_run: Run) -> None:
    reports = certified_run.reports
    assert f"uatcert {__version__} — {EVERY_API}" in certified_run.stdout
    assert f"**CERTIFIED** — {EVERY_API}," in (reports / "certificate.md").read_text(encoding="utf-8")
    assert f"<title>CERTIFIED — uatcert certificate — {EVERY_API}</title>" in (
        reports / "certificate.html").read_text(encoding="utf-8")
    executor = json.loads((reports / "allure-results" / "executor.json").read_text(encoding="utf-8"))
    assert executor["reportName"] == f"UAT certification — {EVERY_API}"
