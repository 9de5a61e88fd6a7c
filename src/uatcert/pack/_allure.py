"""
Allure results as evidence: read `*-result.json` files and match them to the run's scenarios.

allure-pytest-bdd names a result after the scenario with its example values filled in (the same
name the suite records in `run.json`), and lists the example columns as parameters. Scenarios
skipped or broken during setup have no Allure result at all (the adapter never started them).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from uatcert.suite.results import ScenarioResult

RESULT_SUFFIX = "-result.json"
_BRACKET = re.compile(r"\[(?P<id>[^\[\]]*)\]$")


@dataclasses.dataclass(frozen=True)
class AllureResult:
    """One `*-result.json` file, reduced to what the evidence needs."""

    file: str
    name: str
    full_name: str
    status: str
    parameters: tuple[tuple[str, str], ...]
    attachments: tuple[str, ...]
    start: int = 0

    def parameter(self, name: str) -> str | None:
        return next((value for key, value in self.parameters if key == name), None)

    def example_ids(self) -> set[str]:
        """The pytest ids this result's example row may have been given."""
        values = [v for _, v in self.parameters]
        without_kind = [v for k, v in self.parameters if k != "kind"]
        return {"-".join(values), "-".join(without_kind)}


def parse_result(file_name: str, raw: bytes) -> AllureResult:
    """Parse one result file; raises ValueError when it is not an Allure test result."""
    document = json.loads(raw.decode("utf-8"))
    if not isinstance(document, dict) or "name" not in document:
        raise ValueError("not an Allure test result")
    parameters = tuple(
        (str(p.get("name", "")), str(p.get("value", "")))
        for p in document.get("parameters") or []
        if isinstance(p, dict)
    )
    start = document.get("start")
    return AllureResult(
        file=file_name,
        name=str(document.get("name", "")),
        full_name=str(document.get("fullName", "")),
        status=str(document.get("status") or "unknown"),
        parameters=parameters,
        attachments=tuple(_attachments(document)),
        start=start if isinstance(start, int) else 0,
    )


def _attachments(node: Mapping[str, Any]) -> Iterator[str]:
    for attachment in node.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("source"):
            yield str(attachment["source"])
    for step in node.get("steps") or []:
        if isinstance(step, dict):
            yield from _attachments(step)


def load_results(allure_dir: Path) -> tuple[list[AllureResult], list[str]]:
    """Every readable result in a folder (sorted), and a line per unreadable one."""
    results: list[AllureResult] = []
    problems: list[str] = []
    if not allure_dir.is_dir():
        return results, problems
    for path in sorted(allure_dir.glob(f"*{RESULT_SUFFIX}")):
        try:
            results.append(parse_result(path.name, path.read_bytes()))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: unreadable Allure result ({type(exc).__name__})")
    return sort_results(results), problems


def sort_results(results: Iterable[AllureResult]) -> list[AllureResult]:
    return sorted(results, key=lambda r: (r.start, r.file))


# matching ---------------------------------------------------------------------------------------
_COMPATIBLE: dict[str, frozenset[str]] = {
    "passed": frozenset({"passed"}),
    "failed": frozenset({"failed", "broken"}),
    "broken": frozenset({"failed", "broken"}),
    "not_applicable": frozenset({"skipped"}),
    "skipped": frozenset({"skipped"}),
}


def compatible(outcome: str, status: str) -> bool:
    """Whether an Allure status can be the record of a scenario outcome in run.json."""
    return status in _COMPATIBLE.get(outcome, frozenset())


def example_id(nodeid: str) -> str | None:
    """The parametrize id at the end of a pytest node id (`test_x[SKU-1-100]` -> `SKU-1-100`)."""
    match = _BRACKET.search(nodeid)
    return match.group("id") if match else None


def match_scenarios(
    scenarios: Iterable[ScenarioResult], results: Iterable[AllureResult]
) -> tuple[dict[str, AllureResult], list[AllureResult]]:
    """Pair each scenario (by node id) with at most one Allure result; also the results left over.

    A result is a candidate for a scenario when its name is the scenario's name, its `code` parameter
    (if any) is the scenario's product and, when several remain, its example values form the node id's
    parametrize id. Among equal candidates one whose status fits the scenario's outcome is preferred,
    so tampering with an outcome still leaves a mismatch that `compatible` reports.
    """
    unused = sort_results(results)
    by_name: dict[str, list[AllureResult]] = {}
    for result in unused:
        by_name.setdefault(result.name, []).append(result)
    matched: dict[str, AllureResult] = {}
    for scenario in scenarios:
        candidates = by_name.get(scenario.name, [])
        if scenario.product:
            candidates = [r for r in candidates if r.parameter("code") in (None, scenario.product)]
        ident = example_id(scenario.nodeid)
        if len(candidates) > 1 and ident is not None:
            narrowed = [r for r in candidates if ident in r.example_ids()]
            candidates = narrowed or candidates
        if not candidates:
            continue
        chosen = next((r for r in candidates if compatible(scenario.outcome, r.status)), candidates[0])
        matched[scenario.nodeid] = chosen
        by_name[scenario.name].remove(chosen)
    used = {id(r) for r in matched.values()}
    return matched, [r for r in unused if id(r) not in used]
