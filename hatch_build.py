"""Build hook: the wheel carries the certification suite.

The top-level `features/`, `steps/`, `conftest.py` and `suite.ini` (the source of truth) and the pinned report
generator's `package.json` / `package-lock.json` are copied into `uatcert/_suite/` of the wheel (see
`uatcert.locations`). An editable install needs no copy: it runs the checkout's suite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SUITE_DIRS = ("features", "steps")
SUITE_FILES = ("conftest.py", "suite.ini", "package.json", "package-lock.json")
DESTINATION = "uatcert/_suite"


class SuiteHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        files = [root / name for name in SUITE_FILES]
        for folder in SUITE_DIRS:
            files += [p for p in sorted((root / folder).rglob("*"))
                      if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
        for path in files:
            build_data["force_include"][str(path)] = f"{DESTINATION}/{path.relative_to(root).as_posix()}"
