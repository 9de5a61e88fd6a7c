"""Fixtures of the evidence-pack tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.pack.builders import Run, Spec, build_run


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Run]:
    counter = iter(range(1000))

    def factory(specs: list[Spec] | None = None, **kwargs: Any) -> Run:
        return build_run(tmp_path / f"run{next(counter)}", specs, **kwargs)

    return factory
