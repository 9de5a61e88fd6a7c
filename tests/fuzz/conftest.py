"""The fuzz run's summary in the terminal report."""

from __future__ import annotations

import pytest

from tests.fuzz.tally import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.cases:
        terminalreporter.section("schemathesis cases")
        for line in TALLY.lines():
            terminalreporter.write_line(line)
