"""Profiles: which features a run covers, their requirements, and how to tell a profile is configured."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from uatcert.config import Settings


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    title: str
    steps_dir: str
    requirements: tuple[str, ...]
    configured: Callable[[Settings], bool]


PROFILES: dict[str, Profile] = {
    "v3": Profile(
        "v3",
        "UNIQREWARDS Client API v3",
        "steps/uniqrewards_v3",
        ("AUTH", "CAT", "ISS-EVERY", "ISS-OPEN", "ISS-VALID", "STS", "IDEM"),
        lambda s: s.v3.configured,
    ),
    "v2": Profile(
        "v2",
        "UNIQREWARDS Client API v2",
        "steps/uniqrewards_v2",
        ("V2-AUTH", "V2-CAT", "V2-ISS-EVERY", "V2-ISS-OPEN", "V2-ISS-VALID", "V2-STS", "V2-IDEM"),
        lambda s: s.v2.configured,
    ),
    "allsafe": Profile(
        "allsafe",
        "AllSafe Redemption API",
        "steps/allsafe",
        ("ALS-AVAIL", "ALS-ALLOC", "ALS-ERR"),
        lambda s: s.allsafe.configured,
    ),
}


def select(names: list[str] | None, settings: Settings) -> list[Profile]:
    """The profiles to run: those named; else those configured; else all of them, on the sandbox."""
    if names:
        unknown = [n for n in names if n not in PROFILES]
        if unknown:
            from uatcert.errors import ConfigError

            raise ConfigError(f"unknown profile {', '.join(unknown)}; available: {', '.join(PROFILES)}")
        return [PROFILES[n] for n in dict.fromkeys(names)]
    configured = [p for p in PROFILES.values() if p.configured(settings)]
    return configured or list(PROFILES.values())
