"""Profiles: which features a run covers, their requirements, and how to tell a profile is configured."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TextIO

from uatcert import preflight
from uatcert.config import Settings
from uatcert.suite.requirements import REQUIREMENTS


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    title: str
    steps_dir: str
    configured: Callable[[Settings], bool]
    preflight: Callable[[Settings, TextIO], None]
    """Guard, reach and authenticate a configured target before the first scenario (no-op on the sandbox)."""

    @property
    def requirements(self) -> tuple[str, ...]:
        """The ids of the requirements this profile certifies, in their declared order."""
        return tuple(r.id for r in REQUIREMENTS.values() if r.profile == self.name)


PROFILES: dict[str, Profile] = {
    "v3": Profile(
        "v3", "UNIQREWARDS Client API v3", "steps/uniqrewards_v3", lambda s: s.v3.configured, preflight.check_v3_target
    ),
    "v2": Profile(
        "v2", "UNIQREWARDS Client API v2", "steps/uniqrewards_v2", lambda s: s.v2.configured, preflight.check_v2_target
    ),
    "allsafe": Profile(
        "allsafe", "AllSafe Redemption API", "steps/allsafe", lambda s: s.allsafe.configured,
        preflight.check_allsafe_target,
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
