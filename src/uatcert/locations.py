"""
Where the certification suite lives: the folder holding `features/`, `steps/`, the root `conftest.py` and
the suite's pytest configuration (`suite.ini`).

An installed uatcert (a wheel, `pipx install`, `uv tool install`) carries a copy of them in
`uatcert/_suite/`, made at build time from the checkout's top-level folders (which stay the source of
truth); an editable install (`pip install -e .`) runs its checkout's.
"""

from __future__ import annotations

from pathlib import Path

from uatcert.errors import ConfigError

SUITE_FILES = ("features", "steps", "conftest.py", "suite.ini")
SUITE_CONFIG = "suite.ini"
PACKAGED_SUITE = Path(__file__).resolve().parent / "_suite"
"""The copy a wheel carries (absent in a checkout)."""
CHECKOUT = Path(__file__).resolve().parents[2]
"""The checkout an editable install points into (`src/uatcert/locations.py` -> the checkout)."""


def holds_suite(folder: Path) -> bool:
    return all((folder / name).exists() for name in SUITE_FILES)


def suite_root() -> Path:
    """The suite's folder: the installed copy, else the checkout; ConfigError when neither holds it."""
    for folder in (PACKAGED_SUITE, CHECKOUT):
        if holds_suite(folder):
            return folder
    raise ConfigError(
        f"cannot find the certification suite ({', '.join(SUITE_FILES)}) in {PACKAGED_SUITE} or {CHECKOUT}: "
        "reinstall uatcert from its wheel"
    )


def is_installed_copy(folder: Path) -> bool:
    """True for the copy a wheel carries (nothing may be installed into it behind the user's back)."""
    return folder.resolve() == PACKAGED_SUITE
