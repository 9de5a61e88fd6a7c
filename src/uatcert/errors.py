"""
Harness errors: trouble with the tool, its configuration or the network, never an API finding.

    UatCertError
    ├── ConfigError            bad settings, bad catalogue file, bad command-line usage   (exit 2)
    ├── TargetUnreachable      host down, DNS, TLS, refused; authentication impossible   (exit 3)
    ├── SandboxError           the embedded sandbox could not start or misbehaved
    ├── ProxyError             the fault proxy could not start or was misused
    └── BudgetExceeded         an issuance would exceed the production budget (refused before sending)

API non-conformance findings are `AssertionError` subclasses (see `uatcert.suite.findings`), so
Allure shows them as *failed* while these show as *broken*.
"""

from __future__ import annotations


class UatCertError(Exception):
    """Base class of every harness error."""

    exit_code: int = 2


class ConfigError(UatCertError):
    """The configuration, a data file or the command line is invalid."""

    exit_code = 2


class TargetUnreachable(UatCertError):
    """The target cannot be reached, or authentication is impossible."""

    exit_code = 3


class SandboxError(UatCertError):
    """The embedded sandbox could not be started or controlled."""

    exit_code = 2


class ProxyError(UatCertError):
    """The fault proxy could not be started (busy port) or was used wrongly."""

    exit_code = 2


class BudgetExceeded(UatCertError):
    """An issuance would exceed the configured voucher or face-value budget; it was not sent."""

    exit_code = 2
