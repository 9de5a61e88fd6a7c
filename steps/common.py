"""Helpers every API's steps use (no step definitions here): not applicable, noting, attempts, sandbox control."""

from __future__ import annotations

import json
from typing import TypeVar

import allure
import pytest

from uatcert.events import Exchange
from uatcert.suite.scenario import NOT_APPLICABLE, ScenarioExchanges

C = TypeVar("C")


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


def controlled(control: C | None) -> C:
    """The sandbox control API in a `@sandbox_only` scenario (the plugin skips it where there is none)."""
    if control is None:
        raise RuntimeError("a @sandbox_only step ran without the sandbox control API")
    return control
