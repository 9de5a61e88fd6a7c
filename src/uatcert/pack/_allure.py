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

from uatcert.suite.requirements import REQUIREMENTS
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
    labels: tuple[str, ...] = ()
    """Values of the `story` and `tag` labels (where the requirement id is)."""

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
        labels=tuple(
            str(label.get("value", ""))
            for label in document.get("labels") or []
            if isinstance(label, dict) and label.get("name") in ("story", "tag")
        ),
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


def python_name(text: str) -> str:
    """The name pytest-bdd gives a scenario's test function, without its `test_` prefix."""
    name = re.sub(r"\W", "", text.replace(" ", "_"))
    return re.sub(r"^\d+_*", "", name).lower()


def _function(nodeid: str) -> set[str]:
    """The test function of a node id, as pytest-bdd derived it (with and without a de-duplication suffix)."""
    function = _BRACKET.sub("", nodeid.rsplit("::", 1)[-1]).removeprefix("test_")
    return {function, re.sub(r"_\d+$", "", function)}


def _templated(result: AllureResult) -> str:
    """The result's name with its example values put back as `<column>` placeholders."""
    name = result.name
    for key, value in sorted(result.parameters, key=lambda kv: -len(kv[1])):
        if value:
            name = name.replace(value, f"<{key}>")
    return name


def _score(scenario: ScenarioResult, functions: set[str], ident: str | None, result: AllureResult) -> int | None:
    requirements = {label for label in result.labels if label in REQUIREMENTS}
    if scenario.requirement and requirements and scenario.requirement not in requirements:
        return None
    if scenario.product and result.parameter("code") not in (None, scenario.product):
        return None
    score = 0
    if result.name == scenario.name:
        score += 8
    if functions & {python_name(result.name), python_name(_templated(result))}:
        score += 4
    if ident is not None:
        if ident in result.example_ids():
            score += 4
        elif result.parameters:
            score -= 4
    elif result.parameters and score < 8:
        score -= 2
    return score if score >= 4 else None


class _Candidates:
    """The results a scenario may pair with, by the two rules of `_score` that refuse a pair outright
    (requirement labels, `code` column): scoring every scenario against every result grew with their
    product (38 s estimated for a 500-product catalogue)."""

    def __init__(self, ordered: list[AllureResult]) -> None:
        self.all = set(range(len(ordered)))
        self.by_requirement: dict[str, set[int]] = {}
        self.by_code: dict[str, set[int]] = {}
        self.unlabelled: set[int] = set()
        self.no_code: set[int] = set()
        for index, result in enumerate(ordered):
            requirements = {label for label in result.labels if label in REQUIREMENTS}
            for requirement in requirements:
                self.by_requirement.setdefault(requirement, set()).add(index)
            if not requirements:
                self.unlabelled.add(index)
            code = result.parameter("code")
            if code is None:
                self.no_code.add(index)
            else:
                self.by_code.setdefault(code, set()).add(index)

    def of(self, scenario: ScenarioResult) -> list[int]:
        found = self.all
        if scenario.requirement:
            found = found & (self.by_requirement.get(scenario.requirement, set()) | self.unlabelled)
        if scenario.product:
            found = found & (self.by_code.get(scenario.product, set()) | self.no_code)
        return sorted(found)


def match_scenarios(
    scenarios: Iterable[ScenarioResult], results: Iterable[AllureResult]
) -> tuple[dict[str, AllureResult], list[AllureResult]]:
    """Pair each scenario (by node id) with at most one Allure result; also the results left over.

    run.json and Allure name a scenario differently (the node id and the test name on one side, the
    Gherkin name with its example values and the example columns on the other), so each pair is
    scored: same name; the node id's test function is pytest-bdd's name for the scenario; the node
    id's parametrize id is made of the example values. Requirement labels and the `code` column must
    not contradict the scenario. The best pairs are taken first; among equals a result whose status
    fits the scenario's outcome is preferred, so tampering with an outcome still leaves a mismatch
    that `compatible` reports.
    """
    ordered = sort_results(results)
    scenario_list = list(scenarios)
    candidates = _Candidates(ordered)
    pairs: list[tuple[int, bool, int, int]] = []
    for s_index, scenario in enumerate(scenario_list):
        functions = _function(scenario.nodeid)
        ident = example_id(scenario.nodeid)
        for r_index in candidates.of(scenario):
            result = ordered[r_index]
            score = _score(scenario, functions, ident, result)
            if score is not None:
                pairs.append((-score, not compatible(scenario.outcome, result.status), s_index, r_index))
    pairs.sort()
    matched: dict[str, AllureResult] = {}
    taken: set[int] = set()
    for _, _, s_index, r_index in pairs:
        nodeid = scenario_list[s_index].nodeid
        if nodeid in matched or r_index in taken:
            continue
        matched[nodeid] = ordered[r_index]
        taken.add(r_index)
    return matched, [r for i, r in enumerate(ordered) if i not in taken]
