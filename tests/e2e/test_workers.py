"""`uatcert run --workers 4` certifies exactly what the serial run certifies: the same requirement x product
matrix and verdicts, the same scenario results, the same logical issuances in the ledger, and the same
exchanges attached to the same steps of the same scenarios. One run with workers (the embedded sandbox
with a little latency, so calls really overlap), compared with the shared serial run."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Run, clean_env, run_uatcert
from uatcert.evidence import read_ledger

WORKERS = 4
_SUMMARY = re.compile(r"uatcert: (\d+) workers: (\d+) calls made ahead, at most (\d+) in flight")
_ID = re.compile(r"[0-9a-f*…-]{8,}")
"""A voucher id, key or order number in a title; the redactor may have masked a part of it that happened to
equal a learned value (a 4-digit PIN inside an id: chance, not the workers), so both forms read the same."""
_UNKNOWN_CODE = re.compile(r"(UATCERTNOSUCH|uatcert-unknown-vendor-)[0-9A-Fa-f]{8}")
"""The code made up anew each run for a product or vendor that does not exist."""


@pytest.fixture(scope="module")
def parallel_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    env = clean_env(UATCERT_SANDBOX__LATENCY_MS="10")
    return run_uatcert(tmp_path_factory.mktemp("workers") / "reports", "--workers", str(WORKERS), env=env)


def _certificate(run: Run) -> dict[str, Any]:
    return json.loads((run.reports / "certificate.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _matrix(run: Run) -> list[tuple[Any, ...]]:
    """Requirement x product: each requirement's verdict and counts, each cell's verdict, reason and scenarios."""
    return [
        (r["id"], r["verdict"], tuple(sorted(r["counts"].items())),
         tuple((c["product"], c["face_value"], c["verdict"], c["reason"], tuple(c["scenarios"])) for c in r["cells"]))
        for r in _certificate(run)["requirements"]
    ]


def _issuance_summary(run: Run) -> dict[str, Any]:
    summary = dict(_certificate(run)["issuance"])
    summary.pop("reconciliation_keys", None)  # idempotency keys: new ones every run
    summary["open_intents"] = sorted(  # what was left to reconcile, without this run's keys and times
        _normal(json.dumps({k: v for k, v in intent.items() if k not in ("idempotency_key", "time")},
                           sort_keys=True, ensure_ascii=False))
        for intent in summary.get("open_intents", []))
    return summary


def _scenarios(run: Run) -> set[tuple[Any, ...]]:
    return {(s.nodeid, s.requirement, s.product, s.outcome, _normal(s.message)) for s in run.results.scenarios}


VOLATILE = ("idempotency_key", "time", "request_ids", "raw_id", "base_url", "token_url")
"""Ledger fields that are new every run (keys, times, provider request ids, the sandbox's port)."""


def _issuances(run: Run) -> Counter[str]:
    """The ledger's records (intents, outcomes, attempts, ...), without the keys, ids and times of this run."""
    counted: Counter[str] = Counter()
    for record in read_ledger(run.reports / "ledger.jsonl"):
        stable = {k: v for k, v in record.items() if k not in VOLATILE}
        if "voucher_ids" in stable:
            stable["voucher_ids"] = len(stable["voucher_ids"] or [])
        counted[_normal(json.dumps(stable, sort_keys=True, ensure_ascii=False))] += 1
    return counted


def _id(match: re.Match[str]) -> str:
    return "<id>" if any(ch.isdigit() or ch in "*…" for ch in match.group()) else match.group()


def _normal(text: str) -> str:
    return _UNKNOWN_CODE.sub(r"\1<random>", _ID.sub(_id, text))


def _steps(steps: list[dict[str, Any]], prefix: str = "") -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for step in steps:
        name = prefix + step["name"]
        found.append((name, tuple(sorted(_normal(a["name"]) for a in step.get("attachments", [])))))
        found += _steps(step.get("steps", []), name + " / ")
    return found


def _evidence(run: Run) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Per scenario: each step with the titles of what was attached to it (exchanges and notes)."""
    evidence = {}
    for scenario in _certificate(run)["scenarios"]:
        path = scenario.get("evidence", {}).get("allure_result")
        result = json.loads((run.reports / path).read_text(encoding="utf-8")) if path else {}
        attached = tuple(sorted(_normal(a["name"]) for a in result.get("attachments", [])))
        evidence[scenario["nodeid"]] = [*_steps(result.get("steps", [])), ("(scenario)", attached)]
    return evidence


def test_the_run_with_workers_dispatched_calls_ahead_within_the_cap(parallel_run: Run) -> None:
    assert parallel_run.returncode == 0, parallel_run.stdout[-3000:] + parallel_run.stderr[-2000:]
    summary = _SUMMARY.search(parallel_run.stdout)
    assert summary is not None, parallel_run.stdout[-2000:]
    workers, ahead, peak = map(int, summary.groups())
    assert workers == WORKERS
    assert ahead > 50, "the per-product outlines' calls were made ahead"
    assert 2 <= peak <= WORKERS, "calls overlapped, never more than the cap"


def test_certificate_scenarios_ledger_and_evidence_are_those_of_the_serial_run(
    certified_run: Run, parallel_run: Run
) -> None:
    assert certified_run.returncode == 0 and parallel_run.returncode == 0
    assert "calls made ahead" not in certified_run.stdout  # the serial run is the default
    assert _certificate(parallel_run)["verdict"] == _certificate(certified_run)["verdict"] == "CERTIFIED"
    assert _matrix(parallel_run) == _matrix(certified_run)
    assert _issuance_summary(parallel_run) == _issuance_summary(certified_run)
    assert _scenarios(parallel_run) == _scenarios(certified_run)
    assert _issuances(parallel_run) == _issuances(certified_run)
    serial, parallel = _evidence(certified_run), _evidence(parallel_run)
    assert serial.keys() == parallel.keys()
    differing = [nodeid for nodeid in serial if serial[nodeid] != parallel[nodeid]]
    assert not differing, f"{len(differing)} scenarios' evidence differs, first: {differing[:3]}"


def test_workers_outside_the_range_are_refused_in_one_line(tmp_path: Path) -> None:
    refused = run_uatcert(tmp_path / "reports", "--workers", "0")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "uatcert: invalid settings: UATCERT_RUN__WORKERS: Input should be greater than or equal to 1 (got '0')"]
