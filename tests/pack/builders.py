"""A realistic `reports/` folder, built by hand: run.json, Allure results with attachments, a ledger."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from uatcert.pack import make_bundle, write_allure_metadata, write_certificate
from uatcert.suite.results import Outcome, RunResults, ScenarioResult
from uatcert.verdict import judge

REQUIRED = ("AUTH", "CAT", "ISS-EVERY", "ISS-OPEN", "ISS-VALID", "STS", "IDEM")
CLIENT_ID = "uatcert-client-sandbox"
PRODUCTS = [
    {"code": "GIFT-OPEN-1", "kind": "value based, open value", "open_value": True},
    {"code": "GIFT-FIX-25", "kind": "value based, fixed value"},
    {"code": "EXP-PRD-7", "kind": "product based, fixed value, status not available"},
]
FACE_VALUES = ("100", "100000", "1051")
STEPS = "steps/uniqrewards_v3"


def python_name(text: str) -> str:
    """pytest-bdd's test function name for a scenario (without `test_`)."""
    return re.sub(r"^\d+_*", "", re.sub(r"\W", "", text.replace(" ", "_"))).lower()


@dataclasses.dataclass
class Spec:
    """One scenario of the hand-made run, named as the suite and allure-pytest-bdd really name it.

    run.json holds the pytest node id and item name (`test_product_code_is_issued[SKU-1]`); the Allure
    result holds the Gherkin name with the example values filled in, and the example columns.
    """

    module: str
    template: str
    requirement: str
    parameters: dict[str, str] = dataclasses.field(default_factory=dict)
    outcome: Outcome = "passed"
    message: str = ""
    allure: bool = True
    gherkin_name_in_run: bool = False

    @property
    def product(self) -> str | None:
        return self.parameters.get("code")

    @property
    def title(self) -> str:
        name = self.template
        for key, value in self.parameters.items():
            name = name.replace(f"<{key}>", value)
        return name

    @property
    def item_name(self) -> str:
        ident = "-".join(v for k, v in self.parameters.items() if k != "kind")
        return f"test_{python_name(self.template)}" + (f"[{ident}]" if self.parameters else "")

    @property
    def nodeid(self) -> str:
        return f"{STEPS}/{self.module}::{self.item_name}"

    @property
    def name(self) -> str:
        return self.title if self.gherkin_name_in_run else self.item_name


def default_specs() -> list[Spec]:
    specs = [
        Spec("test_auth.py", "A token is obtained with the client credentials and reused while valid", "AUTH"),
        Spec("test_auth.py", "Wrong client credentials are refused", "AUTH"),
        Spec("test_catalogue.py", "The catalogue is listed and every product is classified by its flags", "CAT"),
    ]
    for p in PRODUCTS:
        specs.append(Spec("test_catalogue.py", "Product <code> can be retrieved on its own", "CAT",
                          {"code": p["code"], "kind": p["kind"]}))
    for p in PRODUCTS:
        specs.append(Spec("test_issuance.py", "Product <code> (<kind>) is issued", "ISS-EVERY",
                          {"code": p["code"], "kind": p["kind"]}))
    for value in FACE_VALUES:
        specs.append(Spec("test_issuance.py", "Open-value product <code> is issued at <face_value> cents", "ISS-OPEN",
                          {"code": "GIFT-OPEN-1", "face_value": value}))
    for problem, error in (("a quantity of 0", "400-5DC"), ("a body that is not valid JSON", "400-4C3")):
        specs.append(Spec("test_issuance.py", "An issuance request with <problem> is refused", "ISS-VALID",
                          {"problem": problem, "error": error}))
    specs += [
        Spec("test_status.py", "Every voucher issued in the run is retrieved on its own", "STS"),
        Spec("test_status.py", 'A voucher that was <change> at the provider reports status "<status>"', "STS",
             {"change": "used", "status": "used"}, outcome="not_applicable", allure=False,
             message="not applicable on UAT: needs the sandbox control API"),
        Spec("test_recovery.py", "The response is lost after the provider issued the vouchers", "IDEM"),
        Spec("test_recovery.py", "The same idempotency key with a different request is refused", "IDEM"),
    ]
    return specs


STATUS = {"passed": "passed", "failed": "failed", "broken": "broken", "skipped": "skipped",
          "not_applicable": "skipped"}


def write_allure_result(allure: Path, spec: Spec, start: int, *, attachment_body: str | None = None) -> str:
    """One `*-result.json` (plus its attachment) as allure-pytest-bdd writes it; returns the result file name."""
    result_id = str(uuid.uuid4())
    attachment = f"{uuid.uuid4()}-attachment.json"
    body = attachment_body or json.dumps({
        "method": "POST", "url": "https://uat.example.test/v3/products/X",
        "request": {"headers": {"Authorization": "Bearer ***"}, "body": {"quantity": 1}},
        "response": {"status": 201, "body": {"vouchers": [{"voucher_id": "v-1", "voucher_code": "…3732",
                                                           "url": "…9f1c", "short_url_pin": "***"}]}},
    }, indent=2, ensure_ascii=False)
    (allure / attachment).write_text(body, encoding="utf-8")
    status = STATUS[spec.outcome]
    document: dict[str, Any] = {
        "name": spec.title,
        "status": status,
        "steps": [{"name": "When I issue it", "status": status,
                   "attachments": [{"name": "POST /products → 201", "source": attachment,
                                    "type": "application/json"}]}],
        "parameters": [{"name": k, "value": v} for k, v in spec.parameters.items()],
        "start": start,
        "stop": start + 5,
        "uuid": result_id,
        "fullName": f"uniqrewards_v3/{spec.requirement}.feature:{spec.title}",
        "labels": [{"name": "framework", "value": "pytest-bdd"}, {"name": "tag", "value": spec.requirement},
                   {"name": "story", "value": spec.requirement}],
    }
    if status in ("failed", "broken"):
        document["statusDetails"] = {"message": spec.message}
    name = f"{result_id}-result.json"
    (allure / name).write_text(json.dumps(document, indent=2), encoding="utf-8")
    return name


def ledger_lines(now: str = "2026-11-21T10:00:00.000+00:00") -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []

    def issue(key: str, product: str, face: int | None, vouchers: list[str], *, replayed: bool = False,
              outcome: str = "issued", attempts: int = 1) -> None:
        base = {"api": "v3", "idempotency_key": key, "product_code": product, "quantity": len(vouchers) or 1,
                "face_value": face, "currency": "EUR" if face is not None else None}
        lines.append({"event": "intent", **base, "time": now})
        lines.append({"event": "outcome", **base, "outcome": outcome, "http_status": 201 if vouchers else None,
                      "voucher_ids": vouchers, "replayed": replayed, "attempts": attempts,
                      "request_ids": [f"req-{key}"], "error": None, "time": now})

    issue("key-every-open", "GIFT-OPEN-1", 2500, ["v-1"])
    issue("key-every-fix", "GIFT-FIX-25", None, ["v-2"])
    issue("key-every-prd", "EXP-PRD-7", None, ["v-3"])
    issue("key-open-100", "GIFT-OPEN-1", 100, ["v-4"])
    issue("key-open-100000", "GIFT-OPEN-1", 100000, ["v-5"])
    issue("key-open-1051", "GIFT-OPEN-1", 1051, ["v-6", "v-7"])
    issue("key-idem-lost", "GIFT-OPEN-1", 1000, ["v-8"], replayed=True, attempts=2)
    issue("key-valid-q0", "GIFT-OPEN-1", 1000, [], outcome="refused")
    return lines


@dataclasses.dataclass
class Run:
    reports: Path
    results: RunResults
    specs: list[Spec]
    result_files: dict[str, str]

    def certify(self, *, client_id: str = CLIENT_ID, bundle: bool = True, **kwargs: Any) -> Path | None:
        """Metadata, certificate and (optionally) the bundle, as the runner does it."""
        write_allure_metadata(self.results, self.reports / "allure-results")
        verdict = judge(self.results, REQUIRED)
        write_certificate(self.results, verdict, self.reports, client_id=client_id, **kwargs)
        return make_bundle(self.reports, client_id) if bundle else None


def build_run(root: Path, specs: Iterable[Spec] | None = None, *, started: str = "2026-11-21T10:00:00+00:00",
              finished: str = "2026-11-21T10:03:00+00:00", ledger: bool = True) -> Run:
    specs = list(default_specs() if specs is None else specs)
    reports = root / "reports"
    allure = reports / "allure-results"
    allure.mkdir(parents=True)
    target = {"api": "UNIQREWARDS Client API v3", "api_version": "v3", "label": "UAT",
              "base_url": "https://uat.example.test/v3", "token_url": "https://auth.example.test/oauth2/token",
              "environment": "uat", "client_id": CLIENT_ID, "sandbox": False}
    catalogue = {"size": len(PRODUCTS), "sha256": "ab" * 32, "products": [dict(p) for p in PRODUCTS]}
    results = RunResults(suite_version="0.1.0", started=started, finished=finished,
                         targets={"v3": target}, catalogues={"v3": catalogue})
    result_files: dict[str, str] = {}
    for index, spec in enumerate(specs):
        results.scenarios.append(ScenarioResult(
            nodeid=spec.nodeid, name=spec.name, requirement=spec.requirement, product=spec.product,
            outcome=spec.outcome, message=spec.message, duration_s=0.1, feature="Feature"))
        if spec.allure:
            result_files[spec.nodeid] = write_allure_result(allure, spec, 1795304214000 + index * 10)
    results.write(reports / "run.json")
    if ledger:
        (reports / "ledger.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ledger_lines()),
                                              encoding="utf-8")
        (reports / "ledger.csv").write_text("time,idempotency_key\n", encoding="utf-8")
    (reports / "junit.xml").write_text('<?xml version="1.0"?><testsuites/>\n', encoding="utf-8")
    return Run(reports, results, specs, result_files)


def with_outcome(specs: list[Spec], nodeid_part: str, outcome: Outcome, message: str = "") -> list[Spec]:
    hits = [spec for spec in specs if nodeid_part in spec.nodeid]
    assert hits, f"no scenario matches {nodeid_part!r}"
    for spec in hits:
        spec.outcome = outcome
        spec.message = message
    return specs
