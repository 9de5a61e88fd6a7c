"""The certification suite's machinery: targets, the pytest plugin, findings and run results."""

from __future__ import annotations

from uatcert.suite.findings import Nonconformance

__all__ = ["Nonconformance"]
