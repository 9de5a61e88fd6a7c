"""AllSafe's availability as the suite records it: one summary per run, and the run.json description."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from uatcert.allsafe import AllSafeError, Availability, value_json, value_text
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wing import Description
from uatcert.suite.wings.allsafe.target import new_client, target

AVAILABILITY_KEY = "allsafe.availability"


def availability_summary(availability: Availability) -> dict[str, Any]:
    """Availability in the shape of a catalogue description: one "product" per voucher type."""
    rows = sorted((t.vendor, t.value, t.remaining) for t in availability.available)
    canonical = [(vendor, value_json(value), remaining) for vendor, value, remaining in rows]
    return {
        "size": len(rows),
        "sha256": hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest(),
        "products": [
            {"code": f"{vendor} {value_text(value)}", "kind": f"voucher type, {remaining} left"}
            for vendor, value, remaining in rows
        ],
        "form": availability.form,
        "source": "availability at the start of the run",
    }


def snapshot_availability(runtime: SuiteRuntime) -> dict[str, Any]:
    """The availability summary, taken once (first use); an error is recorded instead of raised."""

    def take() -> dict[str, Any]:
        try:
            with new_client(runtime) as client:
                return availability_summary(client.availability())
        except AllSafeError as exc:
            return {"error": runtime.redactor.text(str(exc))}

    return runtime.memo(AVAILABILITY_KEY, take)


def describe(runtime: SuiteRuntime) -> Description:
    """The AllSafe target and an availability summary, as recorded in run.json and the certificate."""
    resolved = target(runtime)
    summary = snapshot_availability(runtime)
    description: dict[str, Any] = {
        "api": "AllSafe Redemption API",
        "api_version": "proposed contract (allocate call UNDOCUMENTED)",
        "label": resolved.label,
        "base_url": resolved.base_url,
        "environment": resolved.environment,
        "client_id": resolved.username,
        "sandbox": resolved.is_sandbox,
        "availability": f"GET {resolved.contract.availability_path}",
        "allocate": resolved.contract.allocate_label,
        "reference_field": resolved.contract.reference_field,
        "novault_credentials": resolved.novault is not None,
    }
    if "error" in summary:
        description["availability_error"] = summary["error"]
        return description, None
    return description, summary
