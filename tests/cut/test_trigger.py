"""The trigger runner and the interactive mode, on tiny commands and hand-built records."""

from __future__ import annotations

import io
import sys
import time
from typing import Any

import pytest

from tests.cut.test_judges import rec
from uatcert.suite.wings.cut.trigger import TriggerError, run_trigger, system_environment, wait_interactively

PY = sys.executable


def test_a_trigger_gets_its_arguments_and_environment_and_its_printed_ids_are_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_V3__CLIENT_SECRET", "the-suite-s-own-setting")
    code = ("import os, sys; print(os.environ['UATCERT_CUT_BASE_URL']); print(*sys.argv[1:], sep='\\n'); "
            "print(os.environ.get('UATCERT_V3__CLIENT_SECRET', 'not passed')); sys.exit(2)")
    run = run_trigger(f'{PY} -c "{code}"', ["PRODUCT", "3"], {"UATCERT_CUT_BASE_URL": "http://127.0.0.1:1/v3"},
                      timeout_s=20)
    assert run.exit_code == 2 and not run.timed_out
    assert run.printed == ("http://127.0.0.1:1/v3", "PRODUCT", "3", "not passed")
    assert run.started_at < run.finished_at


def test_a_trigger_past_its_timeout_is_killed_with_its_children() -> None:
    child = "[sys.executable, '-c', 'import time; time.sleep(60)']"
    code = f"import subprocess, sys, time; subprocess.Popen({child}); time.sleep(60)"
    started = time.monotonic()
    run = run_trigger(f'{PY} -c "{code}"', [], {}, timeout_s=0.5)
    assert run.timed_out and run.exit_code is None
    assert time.monotonic() - started < 10  # a surviving child would hold the output pipe open for 60 s


def test_a_trigger_that_cannot_start_is_a_harness_error() -> None:
    with pytest.raises(TriggerError, match="cannot start the trigger command"):
        run_trigger("/nonexistent/uatcert-system", [], {}, timeout_s=1)


def test_the_environment_drops_the_suite_s_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UATCERT_ALLSAFE__PASSWORD", "x")
    env = system_environment({"UATCERT_CUT_USERNAME": "u"})
    assert "UATCERT_ALLSAFE__PASSWORD" not in env and env["UATCERT_CUT_USERNAME"] == "u" and "PATH" in env


def test_interactive_mode_prints_what_to_do_and_returns_once_the_system_issued_and_went_quiet() -> None:
    now = time.monotonic()
    seen: list[Any] = []
    calls = {"n": 0}

    def records() -> list[Any]:
        calls["n"] += 1
        if calls["n"] == 2:
            seen.append(rec(1, now))
        return seen

    out = io.StringIO()
    run = wait_interactively("issue 1 voucher of MAMVDDMMYY01", records, timeout_s=10, say=out.write, quiet_s=0.3)
    assert "In your system: issue 1 voucher of MAMVDDMMYY01" in out.getvalue()
    assert not run.timed_out and run.exit_code is None and run.finished_at - run.started_at < 5


def test_interactive_mode_gives_up_when_nothing_is_issued_in_time() -> None:
    run = wait_interactively("issue", list, timeout_s=0.5, say=io.StringIO().write)
    assert run.timed_out
