"""Profiles: which features a run covers, their requirements, and how to tell a profile is configured.

One profile per wing (`uatcert.suite.wings.WINGS`), in the registry's order."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TextIO

from uatcert.config import Settings
from uatcert.errors import ConfigError
from uatcert.suite.wings import WINGS, Wing


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    title: str
    steps_dir: str
    configured: Callable[[Settings], bool]
    preflight: Callable[[Settings, TextIO], None]
    """Guard, reach and authenticate a configured target before the first scenario (no-op on the sandbox)."""
    requirements: tuple[str, ...]
    """The ids of the requirements this profile certifies, in their declared order."""
    selected_by_default: bool = True
    """False: run only when named with --profile (the client-under-test profiles)."""

    @classmethod
    def of(cls, wing: Wing) -> Profile:
        return cls(wing.name, wing.title, wing.steps_dir, wing.configured, wing.preflight,
                   tuple(r.id for r in wing.requirements), wing.selected_by_default)


PROFILES: dict[str, Profile] = {name: Profile.of(wing) for name, wing in WINGS.items()}


def select(names: list[str] | None, settings: Settings) -> list[Profile]:
    """The profiles to run: those named; else those configured; else all of them, on the sandbox (a profile
    not `selected_by_default` runs only when named)."""
    if names:
        unknown = [n for n in names if n not in PROFILES]
        if unknown:
            raise ConfigError(f"unknown profile {', '.join(unknown)}; available: {', '.join(PROFILES)}")
        return [PROFILES[n] for n in dict.fromkeys(names)]
    default = [p for p in PROFILES.values() if p.selected_by_default]
    configured = [p for p in default if p.configured(settings)]
    return configured or default
