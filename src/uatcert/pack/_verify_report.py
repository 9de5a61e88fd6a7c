"""What `uatcert verify` found: one PASS/FAIL entry per check, and the verdict the bundle supports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

MAX_LINES = 25
"""Lines shown per check (and differences collected per certificate comparison)."""


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    lines: list[str] = dataclasses.field(default_factory=list)
    summary: str = ""


@dataclasses.dataclass
class VerifyReport:
    """The outcome of `verify_bundle`: one entry per check, and the verdict the bundle supports."""

    bundle: Path
    checks: list[Check] = dataclasses.field(default_factory=list)
    verdict: str | None = None
    certificate_verdict: str | None = None
    expires_at: str | None = None
    manifest_digest: str | None = None

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def failures(self) -> list[str]:
        return [f"{c.name}: {line}" for c in self.checks if not c.ok for line in c.lines]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def render(self) -> str:
        out = [f"uatcert verify {self.bundle.name}"]
        if self.manifest_digest:
            out.append(f"  manifest digest  sha256:{self.manifest_digest}")
        out.append("")
        for check in self.checks:
            out.append(f"  {'PASS' if check.ok else 'FAIL'}  {check.name:<16}{check.summary}")
            shown = check.lines[:MAX_LINES]
            out += [f"        {line}" for line in shown]
            if len(check.lines) > MAX_LINES:
                out.append(f"        … and {len(check.lines) - MAX_LINES} more")
        out.append("")
        results = self.check("results")
        if self.verdict and results is not None and not results.ok:
            out.append(f"Verdict re-derived from run.json: {self.verdict}, NOT TRUSTWORTHY: run.json disagrees "
                       "with the Allure results")
        elif self.verdict:
            said = self.certificate_verdict or "(unreadable)"
            agreement = "the certificate agrees" if said == self.verdict else f"the certificate says {said}"
            out.append(f"Verdict re-derived from the bundle's results: {self.verdict} ({agreement})")
        if self.expires_at:
            out.append(f"Certificate valid until {self.expires_at[:10]}")
        if self.ok:
            out.append("Result: the evidence pack is intact and its verdict is honest.")
        else:
            failed = ", ".join(c.name for c in self.checks if not c.ok)
            out.append(f"Result: DO NOT TRUST this evidence pack (failed: {failed}).")
        return "\n".join(out) + "\n"
