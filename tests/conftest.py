"""Fixtures every test package may use: a fake clock and a list of the sleeps a client asked for."""

from __future__ import annotations

import pytest

from tests.support import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps() -> list[float]:
    return []
