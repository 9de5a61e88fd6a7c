"""The requirements the suite certifies: ids, areas, titles. Tags, labels and certificates use these ids."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Requirement:
    id: str
    api: str
    """Allure epic: the API's display name."""
    area: str
    title: str
    per_product: bool = False
    covers_catalogue: bool = False
    """True when every product of the profile's catalogue must have passed (ISS-EVERY)."""
    profile: str = "v3"


REQUIREMENTS: dict[str, Requirement] = {
    r.id: r
    for r in (
        Requirement("AUTH", "UNIQREWARDS v3", "Authentication",
                    "token by client credentials, reused, renewed; wrong credentials and missing scopes refused"),
        Requirement("CAT", "UNIQREWARDS v3", "Catalogue",
                    "catalogue listed and classified; every product retrievable; unknown code refused",
                    per_product=True),
        Requirement("ISS-EVERY", "UNIQREWARDS v3", "Issuance",
                    "every product of the live catalogue issued", per_product=True, covers_catalogue=True),
        Requirement("ISS-OPEN", "UNIQREWARDS v3", "Issuance",
                    "open-value products issued at the boundaries and odd cents", per_product=True),
        Requirement("ISS-VALID", "UNIQREWARDS v3", "Issuance",
                    "invalid requests refused with the documented code and nothing issued"),
        Requirement("STS", "UNIQREWARDS v3", "Voucher status",
                    "status of every issued voucher retrieved, singly and in batches; limits and errors"),
        Requirement("IDEM", "UNIQREWARDS v3", "Issue recovery",
                    "idempotent recovery under simulated network loss, never issuing twice"),
    )
}

SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")


API_MARKERS = ("v3",)
"""Feature-level tags naming the API (and profile) of a scenario; other profiles append theirs."""


def requirement_of(tags: set[str] | list[str]) -> Requirement | None:
    """The requirement a scenario's tags name, if any."""
    for tag in tags:
        if tag in REQUIREMENTS:
            return REQUIREMENTS[tag]
    return None
