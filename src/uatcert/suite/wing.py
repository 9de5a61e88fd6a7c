"""
What a wing is: everything the API-agnostic core needs to know about one API. Each wing
(`uatcert.suite.wings.<api>`) declares one `Wing`; the registry `uatcert.suite.wings.WINGS` lists them.
The plugin, the requirements and the profiles read the registry; a wing never imports the plugin.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from uatcert.config import Settings
from uatcert.suite.runtime import SandboxableTarget, SuiteRuntime

Description = tuple[dict[str, Any], dict[str, Any] | None]
"""(target description, catalogue description or None), as recorded in run.json and the certificate."""

Outline = tuple[list[dict[str, str]], str]
"""The Examples rows of a generated outline, and why it is not applicable when there are none."""


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
    face_values: bool = False
    """Its matrix cells are open-value product x face value (ISS-OPEN): the catalogue description flags those
    products `"open_value": true`."""
    profile: str = ""
    """The profile (wing) certifying it; its wing's requirements are filled in with the wing's name."""
    na_acceptable: str | None = None
    """Why this requirement may count as met when every one of its scenarios is not applicable (None: it
    may not; such a requirement is NOT MET and blocks). docs/evidence.md lists the requirements that set it."""


@dataclasses.dataclass(frozen=True)
class Wing:
    name: str
    """The API's short name: its profile, its feature-level marker, its key in run.json's targets."""
    title: str
    """The API's display name (profile title)."""
    steps_dir: str
    """The folder of its step modules (and the folder conftest loading its shared steps)."""
    requirements: tuple[Requirement, ...]
    """What it certifies, in their declared order (each one's `profile` set to the wing's `name`)."""
    fixtures: str
    """The module of its fixtures, loaded as a pytest plugin by the suite plugin."""
    target: Callable[[SuiteRuntime], SandboxableTarget]
    """The run's target of this API, resolved once (starting the embedded sandbox if none is configured)."""
    describe: Callable[[SuiteRuntime], Description]
    """Target and catalogue description, for an API whose target the run resolved."""
    configured: Callable[[Settings], bool]
    """Is a real target of this API configured?"""
    preflight: Callable[[Settings, TextIO], None]
    """Guard, reach and authenticate a configured target before the first scenario (no-op on the sandbox)."""
    validation_errors: tuple[type[Exception], ...]
    """The client's errors for a response not matching its documented model (findings in `check.conformant`)."""
    outlines: Mapping[str, Callable[[SuiteRuntime], Outline]] = dataclasses.field(default_factory=dict)
    """Marker of an outline with a header-only Examples table -> its rows, generated at collection time."""
    markers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """Markers its features use besides the API's own (declared by the core from `title`), with descriptions."""
    selected_by_default: bool = True
    """False: its profile runs only when named (`--profile`), never as one of "all profiles"."""

    def __post_init__(self) -> None:
        owned = tuple(dataclasses.replace(r, profile=self.name) for r in self.requirements)
        object.__setattr__(self, "requirements", owned)
