"""Each AllSafe defect mode of the sandbox fails exactly its requirement (slow: one certification run per mode)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_defect_modes import fails_exactly_its_requirement, modes_of


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "requirement"), modes_of("allsafe"))
def test_defect_mode_fails_exactly_its_requirement(tmp_path: Path, mode: str, requirement: str) -> None:
    fails_exactly_its_requirement(tmp_path, mode, requirement)
