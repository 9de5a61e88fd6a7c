"""The settings model: the run-wide groups and `Settings`, which nests every group under `UATCERT_`."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from uatcert.config._targets import AllSafeSettings, V2Settings, V3Settings
from uatcert.errors import ConfigError

DEFAULT_PRODUCTION_PATTERNS = (r"(^|\.)api\.uniqrewards\.com$", r"(^|[.-])prod(uction)?([.-]|$)")
ENV_PREFIX = "UATCERT_"
NESTED = "__"


class SandboxSettings(BaseModel):
    """The embedded sandbox (used when no target is configured)."""

    catalogue: Path | None = Field(None, description="v3 catalogue data file (default: the seeded one)")
    defect: str | None = Field(None, description="defect mode: make the sandbox violate one behaviour")
    slow_commit_s: float = Field(1.5, gt=0, le=30, description="how long a slow commit holds its key")
    latency_ms: float = Field(0.0, ge=0, le=60_000, description="delay added to every API request (ms)")
    jitter_ms: float = Field(0.0, ge=0, le=60_000, description="each delay varies by up to this much (ms)")


class CutSettings(BaseModel):
    """The integrator's own system under test (profiles cut, cut-v2, cut-allsafe); no trigger: interactive."""

    trigger: str | None = Field(None, description="command running the v3 system once: PRODUCT QUANTITY [CENTS]")
    v2_trigger: str | None = Field(None, description="v2 system: ORDER_NUMBER PRODUCT_CODE QUANTITY [DOLLARS]")
    allsafe_trigger: str | None = Field(None, description="AllSafe system: VENDOR VALUE")
    trigger_timeout_s: float = Field(30.0, gt=0, le=600, description="a trigger running longer is killed")
    interactive_wait_s: float = Field(120.0, gt=0, le=3600, description="interactive mode: wait for the system")
    proxy_port: int = Field(0, ge=0, le=65535, description="port of the proxy on 127.0.0.1 (0: any free port)")


class RetrySettings(BaseModel):
    """Client retry policy for issuance recovery."""

    max_attempts: int = Field(5, ge=1, le=20, description="attempts per logical issuance")
    backoff_base_s: float = Field(0.25, ge=0, le=60, description="first back-off")
    backoff_cap_s: float = Field(4.0, ge=0, le=600, description="back-off ceiling")


class GuardSettings(BaseModel):
    """Production guard: what counts as production, and the budget when production is allowed."""

    allow_production: bool = Field(False, description="allow a production target (needs a budget)")
    max_vouchers: int | None = Field(None, ge=0, description="budget: vouchers a run may issue")
    max_face_value_cents: int | None = Field(None, ge=0, description="budget: total face value in cents")
    production_host_patterns: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PRODUCTION_PATTERNS),
        description="regular expressions matched against target host names",
    )


class RunSettings(BaseModel):
    """Where a run writes its outputs, and how many calls it may have in flight."""

    reports_dir: Path = Field(Path("reports"), description="output folder")
    verbose: bool = Field(False, description="show pytest's own output instead of the progress display")
    workers: int = Field(1, ge=1, le=32, description="provider calls in flight at once (1: strictly serial)")


class Settings(BaseSettings):
    """All settings of a run."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter=NESTED, env_file=".env", env_file_encoding="utf-8",
        extra="ignore",
    )

    v3: V3Settings = Field(default_factory=V3Settings)
    v2: V2Settings = Field(default_factory=V2Settings)
    allsafe: AllSafeSettings = Field(default_factory=AllSafeSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    cut: CutSettings = Field(default_factory=CutSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    run: RunSettings = Field(default_factory=RunSettings)

    def secret_values(self) -> list[str]:
        """Every secret configured in any group (client secrets, X-Client secret, passwords)."""
        return [
            value.get_secret_value()
            for group in (self.v3, self.v2, self.allsafe)
            for value in vars(group).values()
            if isinstance(value, SecretStr)
        ]

    def check(self) -> Settings:
        """Raise ConfigError when a target is half-configured or a pattern is invalid."""
        if self.v3.configured and self.v3.missing():
            raise ConfigError(
                "the v3 target is partly configured; also set " + ", ".join(self.v3.missing())
            )
        if self.v2.configured and self.v2.missing():
            raise ConfigError(
                "the v2 target is partly configured; also set " + ", ".join(self.v2.missing())
            )
        if bool(self.v3.readonly_client_id) != bool(self.v3.readonly_client_secret):
            raise ConfigError(
                "set both UATCERT_V3__READONLY_CLIENT_ID and UATCERT_V3__READONLY_CLIENT_SECRET, or neither"
            )
        self._check_allsafe()
        for pattern in self.guard.production_host_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"invalid production host pattern {pattern!r}: {exc}") from None
        return self


    def _check_allsafe(self) -> None:
        allsafe = self.allsafe
        if allsafe.configured and allsafe.missing():
            raise ConfigError("the AllSafe target is partly configured; also set " + ", ".join(allsafe.missing()))
        if bool(allsafe.novault_username) != bool(allsafe.novault_password):
            raise ConfigError(
                "set both UATCERT_ALLSAFE__NOVAULT_USERNAME and UATCERT_ALLSAFE__NOVAULT_PASSWORD, or neither"
            )
        for name in (allsafe.username, allsafe.novault_username):
            if name and ":" in name:
                raise ConfigError("an AllSafe username cannot contain ':' (HTTP Basic)")
        if allsafe.base_url and not _https_or_loopback(allsafe.base_url):
            raise ConfigError(
                f"UATCERT_ALLSAFE__BASE_URL must be an https URL (HTTP Basic credentials must not travel "
                f"unencrypted; plain http only on a loopback address), got {allsafe.base_url!r}"
            )
        fields = [allsafe.vendor_field, allsafe.value_field, *([allsafe.reference_field] if allsafe.reference_field
                                                                 else [])]
        if len(set(fields)) != len(fields):
            raise ConfigError(f"the AllSafe request field names must differ: {', '.join(fields)}")


def _https_or_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return False
    if parts.scheme == "https" or parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False

