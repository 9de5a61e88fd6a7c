"""The evidence pack's own error: unusable input (a file that is not a bundle, an unreadable CSV)."""

from __future__ import annotations

from uatcert.errors import UatCertError


class BundleError(UatCertError):
    """The input cannot be used at all (not a zip, no manifest, unreadable provider records)."""

    exit_code = 2
