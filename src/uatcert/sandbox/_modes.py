"""Every API's defect modes in one table: `DEFECT_MODES` (name -> the documented behaviour it breaks)."""

from __future__ import annotations

from uatcert.sandbox._defects import DefectMode
from uatcert.sandbox.allsafe.defects import DEFECTS as ALLSAFE_DEFECTS
from uatcert.sandbox.v2.defects import DEFECTS as V2_DEFECTS
from uatcert.sandbox.v3.defects import DEFECTS as V3_DEFECTS

ALL_DEFECTS: tuple[DefectMode, ...] = (*V3_DEFECTS, *V2_DEFECTS, *ALLSAFE_DEFECTS)
DEFECT_MODES: dict[str, str] = {mode.name: mode.description for mode in ALL_DEFECTS}
"""Defect mode name -> the documented behaviour it breaks."""
