"""The requirements the suite certifies, gathered from the wings. Tags, labels and certificates use their ids."""

from __future__ import annotations

from uatcert.suite.wing import Requirement
from uatcert.suite.wings import WINGS

__all__ = ["API_MARKERS", "REQUIREMENTS", "SEVERITIES", "Requirement", "requirement_of"]

REQUIREMENTS: dict[str, Requirement] = {r.id: r for wing in WINGS.values() for r in wing.requirements}

SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")

API_MARKERS = tuple(WINGS)
"""Feature-level tags naming the API (and profile) of a scenario, one per wing."""


def requirement_of(tags: set[str] | list[str]) -> Requirement | None:
    """The requirement a scenario's tags name, if any."""
    for tag in tags:
        if tag in REQUIREMENTS:
            return REQUIREMENTS[tag]
    return None
