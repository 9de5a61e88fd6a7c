"""Root wiring of the certification suite: the uatcert plugin, its fixtures and the shared steps."""

from __future__ import annotations

pytest_plugins = [
    "uatcert.suite.plugin",
    "uatcert.suite.fixtures_v3",
    "uatcert.suite.fixtures_allsafe",
    "steps.uniqrewards_v3.common",
    "uatcert.suite.fixtures_v2",
    "steps.uniqrewards_v2.common",
]
