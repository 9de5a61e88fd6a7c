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
        Requirement("V2-AUTH", "UNIQREWARDS v2", "Authentication",
                    "token by client credentials, reused, renewed; X-Client-Id/X-Client-Secret on every voucher "
                    "call; wrong credentials refused with nothing issued", profile="v2"),
        Requirement("V2-CAT", "UNIQREWARDS v2", "Catalogue file",
                    "catalogue file read with its documented columns, every product classified; a product "
                    "code outside it refused", profile="v2"),
        Requirement("V2-ISS-EVERY", "UNIQREWARDS v2", "Issuance",
                    "every product of the catalogue file issued under its order number", per_product=True,
                    covers_catalogue=True, profile="v2"),
        Requirement("V2-ISS-OPEN", "UNIQREWARDS v2", "Issuance",
                    "dynamic value-based products issued at the boundaries and odd cents, in SGD dollars, "
                    "each voucher named with the amount asked", per_product=True, profile="v2"),
        Requirement("V2-ISS-VALID", "UNIQREWARDS v2", "Issuance",
                    "invalid Request Vouchers refused as failed, nothing issued", profile="v2"),
        Requirement("V2-STS", "UNIQREWARDS v2", "Check Vouchers",
                    "every voucher issued in the run checked by its settlement ref; statuses as documented",
                    profile="v2"),
        Requirement("V2-IDEM", "UNIQREWARDS v2", "Issue recovery",
                    "recovery with the same X-Correlation-Id under lost response, lost request and ERV1102, "
                    "never issuing twice", profile="v2"),
        Requirement("ALS-AVAIL", "AllSafe Redemption API", "Availability",
                    "voucher types listed with their remaining counts, consistent with allocations; "
                    "nothing available reported in every documented form", profile="allsafe"),
        Requirement("ALS-ALLOC", "AllSafe Redemption API", "Allocation",
                    "one voucher allocated per request with its fields, never the same voucher twice; an "
                    "allocation whose outcome is unknown flagged for reconciliation, never retried",
                    profile="allsafe"),
        Requirement("ALS-ERR", "AllSafe Redemption API", "Error handling",
                    "every documented refusal (401, 491, 492, 495, 496) surfaced as its typed error with the "
                    "documented cause and action, nothing allocated", profile="allsafe"),
    )
}

SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")


API_MARKERS = ("v3", "allsafe", "v2")
"""Feature-level tags naming the API (and profile) of a scenario; other profiles append theirs."""


def requirement_of(tags: set[str] | list[str]) -> Requirement | None:
    """The requirement a scenario's tags name, if any."""
    for tag in tags:
        if tag in REQUIREMENTS:
            return REQUIREMENTS[tag]
    return None
