"""uatcert: UAT certification suite for voucher-issuance API integrations."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
