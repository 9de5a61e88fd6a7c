"""
The wings: one per API, each holding that API's target resolution, client factory, describer,
generated outlines, fixtures, sandbox checks, requirements, markers, pre-flight and profile data.
`WINGS` is the one table the core reads; adding an API means adding a wing here and its features/steps.
"""

from __future__ import annotations

from uatcert.suite.wing import Wing
from uatcert.suite.wings.allsafe.wing import WING as ALLSAFE
from uatcert.suite.wings.cut.wing import WING as CUT
from uatcert.suite.wings.cut.wing import WING_ALLSAFE as CUT_ALLSAFE
from uatcert.suite.wings.cut.wing import WING_V2 as CUT_V2
from uatcert.suite.wings.v2.wing import WING as V2
from uatcert.suite.wings.v3.wing import WING as V3

WINGS: dict[str, Wing] = {wing.name: wing for wing in (V3, V2, ALLSAFE, CUT, CUT_V2, CUT_ALLSAFE)}
"""API name -> its wing, in the order profiles are listed and run."""

__all__ = ["WINGS", "Wing"]
