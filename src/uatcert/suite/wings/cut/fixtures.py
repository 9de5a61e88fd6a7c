"""Fixtures of the client-under-test steps (one pytest plugin for the three profiles, loaded from the registry)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pytest

from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.cut.scenario import CutScenario, Proxies
from uatcert.suite.wings.cut.target import API_OF


@pytest.fixture(scope="session")
def cut_proxies(suite_runtime: SuiteRuntime) -> Iterator[Proxies]:
    proxies = Proxies(suite_runtime)
    yield proxies
    proxies.stop()


@pytest.fixture
def cut(request: pytest.FixtureRequest, cut_proxies: Proxies, suite_runtime: SuiteRuntime) -> Iterator[CutScenario]:
    """The scenario's proxy (cleared, no faults), for the profile its feature is tagged with."""
    profile = next((m.name for m in request.node.iter_markers() if m.name in API_OF), None)
    if profile is None:
        raise pytest.UsageError(f"{request.node.nodeid}: a client-under-test scenario needs its profile's tag")
    proxy, access = cut_proxies.of(profile)
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def say(text: str) -> None:  # past pytest's output capture, to the terminal uatcert runs in
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            sys.stdout.write(text)
            sys.stdout.flush()

    scenario = CutScenario(proxy, access, suite_runtime.redactor, say)
    yield scenario
    scenario.close()
