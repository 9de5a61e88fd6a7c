"""
The pytest plugin behind the certification features (loaded by the root conftest). It names no API:
what differs per API comes from the wing registry (`uatcert.suite.wings.WINGS`).

- loads the core fixtures and every wing's fixtures, declares the wings' markers;
- generates the wings' outlines at collection time (one example per catalogue product, per open-value
  product and face value, ...: marker tags on outlines with a header-only Examples table);
- turns requirement and severity tags into Allure labels;
- reports `@sandbox_only` scenarios as not applicable where the scenario's API target is not the sandbox;
- moves `@run_last` scenarios to the end of the run (the order is kept otherwise);
- records every scenario's outcome (passed / failed / broken / not applicable) for the runner, and
  describes the target of every API the run used. Only a `Nonconformance` (a finding, raised through
  `Check`) makes a scenario *failed*; anything else, a bare `AssertionError` included, is *broken*.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Generator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from uatcert import __version__
from uatcert.config import get_settings
from uatcert.errors import UatCertError
from uatcert.evidence import run_canary
from uatcert.suite import _bdd
from uatcert.suite.ahead import WINDOW_PER_WORKER, planner_of
from uatcert.suite.findings import Nonconformance, short
from uatcert.suite.progress import NOTE, ProgressWriter, append_event
from uatcert.suite.requirements import REQUIREMENTS, SEVERITIES, requirement_of
from uatcert.suite.results import Outcome, RunResults, ScenarioResult
from uatcert.suite.runtime import RUNTIME, SuiteRuntime, runtime_of
from uatcert.suite.scenario import NO_EXAMPLE, NOT_APPLICABLE, example_of, parametrize_examples
from uatcert.suite.wings import WINGS

RESULTS = pytest.StashKey[RunResults]()
SCENARIO = pytest.StashKey[tuple[str, str]]()  # (feature name, scenario name with example values)

SANDBOX_ONLY = "needs the embedded sandbox's control API; not applicable elsewhere"
RUN_LAST = "run after every other scenario of the run (e.g. a check that the catalogue did not drift meanwhile)"

pytest_plugins = ["uatcert.suite.fixtures", *(wing.fixtures for wing in WINGS.values())]
"""The core fixtures, then each wing's fixtures (the wings' shared steps: their steps folder's conftest)."""


# configuration --------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("uatcert")
    group.addoption("--uatcert-results", default=None, help="write scenario results (JSON) to this file")
    group.addoption("--uatcert-progress", default=None, help="append progress events (JSON lines) to this file")


def pytest_configure(config: pytest.Config) -> None:
    for req in REQUIREMENTS.values():
        config.addinivalue_line("markers", f"{req.id}: requirement {req.id} ({req.title})")
    for severity in SEVERITIES:
        config.addinivalue_line("markers", f"{severity}: Allure severity {severity}")
    config.addinivalue_line("markers", f"sandbox_only: {SANDBOX_ONLY}")
    config.addinivalue_line("markers", f"run_last: {RUN_LAST}")
    for wing in WINGS.values():
        config.addinivalue_line("markers", f"{wing.name}: {wing.title} scenario")
        for name, text in wing.markers.items():
            config.addinivalue_line("markers", f"{name}: {text}")
    try:
        settings = get_settings()
    except UatCertError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[RUNTIME] = SuiteRuntime(settings)
    _bdd.install()  # pytest-bdd's step lookup, its candidates listed once per module
    config.stash[RESULTS] = RunResults(suite_version=__version__, started=_now())
    config.pluginmanager.register(_CollectionErrors(config.stash[RESULTS]), "uatcert-collection-errors")
    config.pluginmanager.register(_RestoreStepArgs(), "uatcert-restore-step-args")
    progress = config.getoption("uatcert_progress", None)
    if progress:
        config.pluginmanager.register(ProgressWriter(Path(progress), _outcome_reader(config)), "uatcert-progress")


def _outcome_reader(config: pytest.Config) -> Callable[[str], str | None]:
    def outcome_of(nodeid: str) -> str | None:
        recorded = (r for r in reversed(config.stash[RESULTS].scenarios) if r.nodeid == nodeid)
        return next((r.outcome for r in recorded), None)

    return outcome_of


def pytest_unconfigure(config: pytest.Config) -> None:
    runtime = config.stash.get(RUNTIME, None)
    if runtime is None:
        return
    _bdd.uninstall()
    results_path = config.getoption("uatcert_results", None)
    if results_path:  # secrets canary, stage 1: every value the redactor learned, over the raw evidence
        learned = dict.fromkeys(runtime.redactor.known_values(), "a secret or voucher value seen in the run")
        run_canary(Path(results_path).parent, learned, stage="pytest")
    runtime.close()


# collection -----------------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for wing in WINGS.values():
        for marker, outline in wing.outlines.items():
            if metafunc.definition.get_closest_marker(marker):
                rows, empty_reason = outline(runtime_of(metafunc.config))
                parametrize_examples(metafunc, rows, empty_reason)
                return


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    run_last_to_the_end(items)
    for item in items:
        names = {m.name for m in item.iter_markers()}
        requirement = requirement_of(list(names))
        if requirement is None:
            continue
        labels = [("epic", requirement.api), ("feature", requirement.area), ("story", requirement.id)]
        severity = next((s for s in SEVERITIES if s in names), "normal")
        labels.append(("severity", severity))
        for label_type, value in labels:
            item.add_marker(pytest.mark.allure_label(value, label_type=label_type))


def run_last_to_the_end(items: list[pytest.Item]) -> None:
    """Items marked `@run_last` move to the end of the run, in place; the order is kept otherwise."""
    last = [item for item in items if item.get_closest_marker("run_last")]
    if last:
        items[:] = [item for item in items if not item.get_closest_marker("run_last")] + last


class _CollectionErrors:
    """Keeps collection errors: a scenario that could not even be collected is never a pass."""

    def __init__(self, results: RunResults) -> None:
        self.results = results

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            lines = str(report.longrepr).strip().splitlines() if report.longrepr else ["collection error"]
            self.results.collection_errors.append(f"{report.nodeid or 'session'}: {short(lines[-1], 400)}")


def pytest_collection_finish(session: pytest.Session) -> None:
    if runtime_of(session.config).ahead.enabled:
        session.config.stash[_ORDER] = (list(session.items), {id(item): i for i, item in enumerate(session.items)})


def pytest_runtest_setup(item: pytest.Item) -> None:
    runtime_of(item.config).exchange_log.begin_scenario()
    _plan_ahead(item)
    if item.get_closest_marker("sandbox_only"):
        wing = next((WINGS[m.name] for m in item.iter_markers() if m.name in WINGS), None)
        if wing is None:
            raise pytest.UsageError(f"{item.nodeid}: @sandbox_only needs the API's tag ({', '.join(WINGS)})")
        if not wing.target(runtime_of(item.config)).is_sandbox:
            pytest.skip(
                f"{NOT_APPLICABLE} on the configured {wing.name} target: needs the sandbox control API "
                "(server-side fault injection, voucher state changes, issuance ledger)"
            )


# calls dispatched ahead (`--workers`): see uatcert.suite.ahead --------------------------------------
_ORDER = pytest.StashKey[tuple[list[pytest.Item], dict[int, int]]]()


def _outline_of(item: pytest.Item) -> tuple[object, str, Any] | None:
    """(test function, API, scenario template) of an outline's example that has a planner, else None."""
    function = getattr(item, "function", None)
    template = scenario_wrapper_template_registry.get(function) if function is not None else None
    api = next((m.name for m in item.iter_markers() if m.name in WINGS), None)
    if template is None or api is None or planner_of(api, template.name) is None:
        return None
    return function, api, template


def _plan_ahead(item: pytest.Item) -> None:
    """Dispatch the calls of this example and of the next ones of the same outline (a bounded window)."""
    runtime = runtime_of(item.config)
    order = item.config.stash.get(_ORDER, None)
    outline = _outline_of(item)
    if order is None or outline is None:
        return
    items, index = order
    start = index.get(id(item))
    if start is None:
        return
    function, api, template = outline
    planner = planner_of(api, template.name)
    assert planner is not None
    window = []
    for other in items[start:start + 1 + WINDOW_PER_WORKER * runtime.ahead.workers]:
        if getattr(other, "function", None) is not function:
            break  # never past the outline: nothing is in flight once its last example ends
        if other.get_closest_marker("skip") or other.get_closest_marker("sandbox_only"):
            continue
        row = example_of(other)
        steps = [step.name for step in template.render(row).steps]
        window.append((other, functools.partial(planner, runtime, row, steps)))
    runtime.ahead.plan(window)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    runtime_of(item.config).ahead.settle(item)  # what was made for it and never taken: attached here


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    request.node.stash[SCENARIO] = (str(feature.name), str(scenario.name))


# Allure records every argument of a step function as a step parameter, fixtures included (clients,
# targets, outcomes: object reprs that are noise at best and could carry a value we must not write).
# Around allure's own hook, the arguments are narrowed to the step's scalar values (what the Gherkin
# text and the Examples table gave), redacted, then restored before the step function is called.
_HIDDEN_ARGS = pytest.StashKey[dict[str, Any]]()
_SCALARS = (str, int, float, bool, Decimal)


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_before_step_call(request: pytest.FixtureRequest, step_func_args: dict[str, Any]) -> None:
    request.node.stash[_HIDDEN_ARGS] = dict(step_func_args)
    redactor = runtime_of(request.config).redactor
    shown = {k: redactor.text(v) if isinstance(v, str) else v
             for k, v in step_func_args.items() if isinstance(v, _SCALARS)}
    step_func_args.clear()
    step_func_args.update(shown)


class _RestoreStepArgs:
    """Registered as a plugin of its own: pytest only collects hooks named `pytest_*`."""

    @pytest.hookimpl(trylast=True)
    def pytest_bdd_before_step_call(self, request: pytest.FixtureRequest, step_func_args: dict[str, Any]) -> None:
        original = request.node.stash.get(_HIDDEN_ARGS, None)
        if original is not None:
            step_func_args.clear()
            step_func_args.update(original)
            del request.node.stash[_HIDDEN_ARGS]


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_step_error(request: pytest.FixtureRequest, exception: Exception) -> None:
    """
    A finding's text may quote an answer (a voucher's code in an issuance the API should have refused):
    it is redacted here, before Allure's own hook and JUnit's report read the exception's message.
    """
    if isinstance(exception, Nonconformance):
        redactor = runtime_of(request.config).redactor
        exception.expected, exception.got = redactor.text(exception.expected), redactor.text(exception.got)
        exception.args = (exception.line(),)


# results --------------------------------------------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" or (report.when == "setup" and not report.passed) or (
        report.when == "teardown" and report.failed
    ):
        _record(item, call, report)
    return report


def _record(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport) -> None:
    results = item.config.stash[RESULTS]
    names = {m.name for m in item.iter_markers()}
    requirement = requirement_of(list(names))
    example = example_of(item)
    outcome: Outcome
    message = ""
    if report.skipped:
        reason = _skip_reason(report)
        outcome = "not_applicable" if reason.startswith(NOT_APPLICABLE) else "skipped"
        message = reason
    elif report.passed:
        outcome = "passed"
    else:
        exc = call.excinfo.value if call.excinfo else None
        if isinstance(exc, Nonconformance):
            outcome, message = "failed", exc.line()
        elif isinstance(exc, AssertionError):  # not raised through `Check`: uatcert's own assumption, not a finding
            outcome = "broken"
            first_line = str(exc).splitlines()[0] if str(exc) else "assertion failed"
            message = f"harness assertion: {short(first_line)}"
        else:
            outcome = "broken"
            message = f"{type(exc).__name__}: {short(str(exc))}" if exc else short(str(report.longrepr))
        message = runtime_of(item.config).redactor.text(message)
    existing = next((r for r in results.scenarios if r.nodeid == item.nodeid), None)
    if existing is not None:  # a teardown error after a passing call
        if existing.outcome == "passed" and outcome in ("failed", "broken"):
            existing.outcome, existing.message = outcome, message
        return
    results.scenarios.append(
        ScenarioResult(
            nodeid=item.nodeid,
            name=_scenario_name(item),
            requirement=requirement.id if requirement else None,
            product=example.get("code") if example and example.get("code") != NO_EXAMPLE else None,
            outcome=outcome,
            message=message,
            duration_s=round(report.duration, 3),
            feature=_feature_name(item),
        )
    )


def _scenario_name(item: pytest.Item) -> str:
    """The Gherkin name, with the example's values already filled in by pytest-bdd."""
    return item.stash.get(SCENARIO, ("", item.name))[1]


def _feature_name(item: pytest.Item) -> str:
    return item.stash.get(SCENARIO, ("", ""))[0]


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
        return reason.removeprefix("Skipped: ")
    return str(longrepr)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    runtime = config.stash.get(RUNTIME, None)
    if runtime is not None and runtime.ahead.enabled:
        throttle = runtime.throttle
        line = (f"uatcert: {runtime.ahead.workers} workers: {runtime.ahead.dispatched} calls made ahead, at most "
                f"{throttle.peak} in flight, {throttle.pauses} pause(s) after a 429")
        terminalreporter.write_line(line)
        progress = config.getoption("uatcert_progress", None)
        if progress:  # pytest's own output is hidden behind the progress display: the runner prints the notes
            append_event(Path(progress), {"event": NOTE, "text": line})


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    path = config.getoption("uatcert_results")
    if not path:
        return
    results = config.stash[RESULTS]
    results.finished = _now()
    _describe_target(runtime_of(config), results)
    results.write(Path(path))


def _describe_target(runtime: SuiteRuntime, results: RunResults) -> None:
    for api, describe in ((api, WINGS[api].describe) for api in runtime.resolved_apis):
        try:
            target, catalogue = describe(runtime)
        except UatCertError as exc:
            results.collection_errors.append(str(exc))
            continue
        results.targets[api] = target
        if catalogue is not None:
            results.catalogues[api] = catalogue


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
