"""Scenario results of a run, recorded by the plugin and read by the runner and the certificate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Literal

Outcome = Literal["passed", "failed", "broken", "not_applicable", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "broken", "not_applicable", "skipped")

NOT_APPLICABLE = "not applicable"
"""Prefix of a skip reason the plugin reports as "not applicable" (not as a plain skip)."""
CATALOGUE_PRECONDITION = f"{NOT_APPLICABLE} on this catalogue: "
"""Prefix of the reason of a generated outline with no rows: the catalogue lacks the product kind it needs
(no open-value product, ...). The verdict names such reasons first."""


def catalogue_precondition(message: str) -> str | None:
    """The integrator-facing text of a catalogue precondition's not-applicable reason, else None."""
    return message[len(CATALOGUE_PRECONDITION):] if message.startswith(CATALOGUE_PRECONDITION) else None


@dataclasses.dataclass
class ScenarioResult:
    nodeid: str
    name: str
    requirement: str | None
    product: str | None
    outcome: Outcome
    message: str = ""
    duration_s: float = 0.0
    feature: str = ""


@dataclasses.dataclass
class RunResults:
    suite_version: str
    started: str
    finished: str = ""
    targets: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    """API name ("v3", "v2", "allsafe") -> target description (base URL, environment, client id, ...),
    in the order the run's profiles were described (the first one heads summaries and titles)."""
    catalogues: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    """API name -> catalogue description (size, sha256, products) where the API has one."""
    scenarios: list[ScenarioResult] = dataclasses.field(default_factory=list)
    collection_errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def lead_api(self) -> str | None:
        """The API described first: the one a one-line headline (summary, report title) names."""
        return next(iter(self.targets), None)

    def target_of(self, api: str | None) -> dict[str, Any]:
        """An API's target description; empty when that API was not described."""
        return self.targets.get(api, {}) if api is not None else {}

    def catalogue_of(self, api: str | None) -> dict[str, Any]:
        """An API's catalogue description; empty when that API has none."""
        return self.catalogues.get(api, {}) if api is not None else {}

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(dataclasses.asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> RunResults:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunResults:
        """Rebuild from the JSON document `write` produced (TypeError when it has other fields)."""
        fields = dict(raw)
        scenarios = [ScenarioResult(**s) for s in fields.pop("scenarios", [])]
        return cls(scenarios=scenarios, **fields)
