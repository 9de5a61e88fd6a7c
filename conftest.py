"""Root wiring of the certification suite: the uatcert plugin (it loads the core's and every wing's fixtures).

Each API's shared steps are loaded by the conftest of its steps folder (`steps/<api>/conftest.py`)."""

from __future__ import annotations

pytest_plugins = ["uatcert.suite.plugin"]
