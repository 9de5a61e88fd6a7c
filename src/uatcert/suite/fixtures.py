"""The core fixtures every API's steps use (a pytest plugin the suite plugin loads)."""

from __future__ import annotations

import pytest

from uatcert.evidence import AllureEvidence
from uatcert.suite.checks import Check
from uatcert.suite.requirements import requirement_of
from uatcert.suite.runtime import ExchangeLog, SuiteRuntime, runtime_of
from uatcert.suite.scenario import ScenarioExchanges, ThreadAwareEvidence, example_of
from uatcert.suite.wings import WINGS


@pytest.fixture(scope="session")
def suite_runtime(request: pytest.FixtureRequest) -> SuiteRuntime:
    return runtime_of(request.config)


@pytest.fixture(scope="session")
def exchange_log(suite_runtime: SuiteRuntime) -> ExchangeLog:
    return suite_runtime.exchange_log


@pytest.fixture(scope="session")
def evidence(suite_runtime: SuiteRuntime) -> ThreadAwareEvidence:
    return ThreadAwareEvidence(AllureEvidence(suite_runtime.redactor))


@pytest.fixture
def exchanges(exchange_log: ExchangeLog) -> ScenarioExchanges:
    return ScenarioExchanges(exchange_log)


@pytest.fixture
def check(request: pytest.FixtureRequest) -> Check:
    """Findings raised by a step name the scenario's requirement and product; its API's invalid responses too."""
    names = [m.name for m in request.node.iter_markers()]
    requirement = requirement_of(names)
    example = example_of(request.node)  # the product, or else what the example varies ("a quantity of 21")
    context = example.get("code") or next(iter(example.values()), None)
    wing = next((WINGS[name] for name in names if name in WINGS), None)
    return Check(requirement.id if requirement else "?", context, wing.validation_errors if wing else ())
