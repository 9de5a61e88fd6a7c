"""
Settings: nested pydantic-settings groups read from `UATCERT_*` environment variables and `.env`.

`UATCERT_V3__BASE_URL=https://host/v3` selects a real v3 target; with no target configured the suite
runs against the embedded sandbox. Read settings through `get_settings()`.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from uatcert.errors import ConfigError

DEFAULT_PRODUCTION_PATTERNS = (r"(^|\.)api\.uniqrewards\.com$", r"(^|[.-])prod(uction)?([.-]|$)")


class V3Settings(BaseModel):
    """UNIQREWARDS Client API v3 target (all unset: the embedded sandbox)."""

    base_url: str | None = Field(None, description="API base URL including /v3, e.g. https://host/v3")
    token_url: str | None = Field(None, description="OAuth2 token URL, e.g. https://auth-host/oauth2/token")
    client_id: str | None = Field(None, description="client id for the client-credentials grant")
    client_secret: SecretStr | None = Field(None, description="client secret (never written anywhere)")
    scope_prefix: str = Field("client_v3_uat/", description="resource-server prefix of the scopes")
    readonly_client_id: str | None = Field(None, description="optional client without issue_vouchers")
    readonly_client_secret: SecretStr | None = Field(None, description="its secret")
    environment: str | None = Field(None, description="uat, demo or production (production is guarded)")
    timeout_s: float = Field(10.0, gt=0, le=120, description="per-request timeout in seconds")

    @property
    def configured(self) -> bool:
        """True when any connection setting is given (then all required ones must be)."""
        return any((self.base_url, self.token_url, self.client_id, self.client_secret))

    def missing(self) -> list[str]:
        """Names of the required variables that are not set."""
        names = {"base_url": self.base_url, "token_url": self.token_url, "client_id": self.client_id,
                 "client_secret": self.client_secret}
        return [f"UATCERT_V3__{k.upper()}" for k, v in names.items() if not v]


class SandboxSettings(BaseModel):
    """The embedded sandbox (used when no target is configured)."""

    catalogue: Path | None = Field(None, description="v3 catalogue data file (default: the seeded one)")
    defect: str | None = Field(None, description="defect mode: make the sandbox violate one behaviour")
    slow_commit_s: float = Field(1.5, gt=0, le=30, description="how long a slow commit holds its key")


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
    """Where a run writes its outputs."""

    reports_dir: Path = Field(Path("reports"), description="output folder")


class Settings(BaseSettings):
    """All settings of a run."""

    model_config = SettingsConfigDict(
        env_prefix="UATCERT_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    v3: V3Settings = Field(default_factory=V3Settings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)
    run: RunSettings = Field(default_factory=RunSettings)

    def check(self) -> Settings:
        """Raise ConfigError when a target is half-configured or a pattern is invalid."""
        if self.v3.configured and self.v3.missing():
            raise ConfigError(
                "the v3 target is partly configured; also set " + ", ".join(self.v3.missing())
            )
        if bool(self.v3.readonly_client_id) != bool(self.v3.readonly_client_secret):
            raise ConfigError(
                "set both UATCERT_V3__READONLY_CLIENT_ID and UATCERT_V3__READONLY_CLIENT_SECRET, or neither"
            )
        for pattern in self.guard.production_host_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"invalid production host pattern {pattern!r}: {exc}") from None
        return self


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment (and `.env`), turning validation errors into ConfigError."""
    try:
        return Settings(**overrides).check()  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"UATCERT_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
