"""A defect mode: a switch that makes the sandbox violate exactly one documented behaviour.

Each API declares its own in its package (`v3/defects.py`, `v2/defects.py`, `allsafe/defects.py`); the
routes test them with `SandboxState.defective(MODE)`. `DEFECT_MODES` (see `_modes.py`) lists them all.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class DefectMode:
    name: str
    description: str
    """The documented behaviour it breaks, and what the sandbox does instead."""
    breaks: str
    """The requirement of the suite that must fail, and only that one (e.g. `ISS-OPEN`)."""
