"""Helpers every API's steps use (no step definitions here): skipping as not applicable, noting, attempts."""

from __future__ import annotations

import json

import allure
import pytest

from uatcert.events import Exchange
from uatcert.suite.fixtures_v3 import ScenarioExchanges
from uatcert.suite.plugin import NOT_APPLICABLE


def not_applicable(reason: str) -> None:
    """Skip the scenario with a reason the plugin reports as "not applicable" (not as a plain skip)."""
    pytest.skip(f"{NOT_APPLICABLE}: {reason}")


def note(title: str, content: object) -> None:
    """Record something the suite observed but does not assert (an UNDOCUMENTED point)."""
    text = content if isinstance(content, str) else json.dumps(content, indent=2, default=str)
    allure.attach(text, name=f"recorded, not asserted: {title}", attachment_type=allure.attachment_type.TEXT)


def post_attempts(exchanges: ScenarioExchanges, key: str) -> list[Exchange]:
    """The POST exchanges of the scenario sent under one idempotency key / correlation id."""
    return [e for e in exchanges.for_key(key) if e.method == "POST"]
