"""
Where a client-under-test profile's upstream is and how its system is reached: the upstream is the API's
configured target (guarded like that API's own profile), else the embedded sandbox; the system gets the
proxy's addresses and that target's credentials, and is driven by its trigger command or interactively.
"""

from __future__ import annotations

import dataclasses
import shlex

from uatcert import sandbox
from uatcert.suite.runtime import SandboxableTarget, SuiteRuntime

CUT, CUT_V2, CUT_ALLSAFE = "cut", "cut-v2", "cut-allsafe"
API_OF = {CUT: "v3", CUT_V2: "v2", CUT_ALLSAFE: "allsafe"}
"""Profile -> the API its system calls."""


@dataclasses.dataclass(frozen=True)
class CutTarget(SandboxableTarget):
    """A client-under-test profile's upstream and how its system is driven."""

    profile: str
    api: str
    base_url: str
    """The upstream's base URL (the API's configured one, or the sandbox's)."""
    sandbox_url: str | None
    trigger: str | None
    timeout_s: float
    interactive_wait_s: float

    @property
    def mode(self) -> str:
        return "trigger" if self.trigger else "interactive"

    @property
    def system_label(self) -> str:
        """The trigger's program (never its arguments, which could hold anything), or the interactive mode."""
        if not self.trigger:
            return "interactive (the integrator acts when told)"
        try:
            program = shlex.split(self.trigger)
        except ValueError:
            program = [self.trigger]
        return f"trigger command {' '.join(program[:2])}" + (" …" if len(program) > 2 else "")


def cut_target(runtime: SuiteRuntime, profile: str) -> CutTarget:
    """The profile's target, resolved once (it starts the embedded sandbox when the API has no target)."""
    return runtime.resolve_target(profile, lambda: _resolve(runtime, profile))


def _resolve(runtime: SuiteRuntime, profile: str) -> CutTarget:
    settings = runtime.settings
    api = API_OF[profile]
    trigger = {CUT: settings.cut.trigger, CUT_V2: settings.cut.v2_trigger,
               CUT_ALLSAFE: settings.cut.allsafe_trigger}[profile]
    configured = {"v3": settings.v3.base_url, "v2": settings.v2.base_url, "allsafe": settings.allsafe.base_url}[api]
    configured = configured if getattr(settings, api).configured else None
    sandbox_url = None
    if configured is None:
        server = runtime.sandbox_server()
        sandbox_url = server.base_url
        configured = {"v3": server.v3_base_url, "v2": f"{server.base_url}/v2",
                      "allsafe": f"{server.base_url}{sandbox.ALLSAFE_PREFIX}"}[api]
    return CutTarget(profile=profile, api=api, base_url=configured.rstrip("/"), sandbox_url=sandbox_url,
                     trigger=trigger or None, timeout_s=settings.cut.trigger_timeout_s,
                     interactive_wait_s=settings.cut.interactive_wait_s)
