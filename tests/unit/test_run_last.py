"""`@run_last`: marked items move to the end of the collection; the order is kept otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, cast

import pytest

from uatcert.suite.plugin import run_last_to_the_end


class _Item:
    def __init__(self, name: str, *markers: str) -> None:
        self.name = name
        self.markers = set(markers)

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self.markers else None


def test_run_last_items_move_to_the_end_in_their_order() -> None:
    items = [_Item("a"), _Item("drift-1", "run_last"), _Item("b"), _Item("drift-2", "run_last"), _Item("c")]
    as_items = cast(list[pytest.Item], items)
    run_last_to_the_end(as_items)
    assert [i.name for i in items] == ["a", "b", "c", "drift-1", "drift-2"]


def test_without_run_last_the_order_is_unchanged() -> None:
    items = [_Item("c"), _Item("a"), _Item("b")]
    run_last_to_the_end(cast(list[pytest.Item], items))
    assert [i.name for i in items] == ["c", "a", "b"]


def test_the_marker_is_registered_and_applied_by_the_plugin(tmp_path: Path) -> None:
    """A real pytest session with the suite's plugin (--strict-markers): the marked test runs last."""
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["uatcert.suite.plugin"]\n', encoding="utf-8")
    (tmp_path / "test_order.py").write_text(textwrap.dedent("""
        import pytest

        ORDER = []

        @pytest.mark.run_last
        def test_drift():
            ORDER.append("drift")
            assert ORDER == ["one", "two", "drift"]

        def test_one():
            ORDER.append("one")

        def test_two():
            ORDER.append("two")
    """), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**_clean_env(), "UATCERT_RUN__REPORTS_DIR": str(tmp_path / "reports")},
    )
    assert run.returncode == 0, run.stdout + run.stderr  # test_drift asserts it ran after the other two
    assert "3 passed" in run.stdout


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("UATCERT_")}
