"""
Settings: nested pydantic-settings groups read from `UATCERT_*` environment variables and `.env`.

`UATCERT_V3__BASE_URL=https://host/v3` selects a real v3 target; with no target configured the suite
runs against the embedded sandbox. Read settings through `get_settings()`.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
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
    expected_products: str | None = Field(
        None, description="comma-separated codes of the products the integrator will sell (CAT, ISS-EVERY)"
    )

    @property
    def configured(self) -> bool:
        """True when any connection setting is given (then all required ones must be)."""
        return any((self.base_url, self.token_url, self.client_id, self.client_secret))

    @property
    def expected_codes(self) -> list[str]:
        """The expected product codes, in the order given, blanks and repeats left out."""
        codes = (c.strip() for c in (self.expected_products or "").split(","))
        return list(dict.fromkeys(c for c in codes if c))

    def missing(self) -> list[str]:
        """Names of the required variables that are not set."""
        names = {"base_url": self.base_url, "token_url": self.token_url, "client_id": self.client_id,
                 "client_secret": self.client_secret}
        return [f"UATCERT_V3__{k.upper()}" for k, v in names.items() if not v]


class V2Settings(BaseModel):
    """UNIQREWARDS Client API v2 target (all connection settings unset: the embedded sandbox)."""

    base_url: str | None = Field(None, description="API base URL including /v2, e.g. https://host/v2")
    token_url: str | None = Field(None, description="token URL, e.g. https://host/v2/connect/token")
    client_id: str | None = Field(None, description="client_id of the token request")
    client_secret: SecretStr | None = Field(None, description="client_secret of the token request (never written)")
    x_client_id: str | None = Field(None, description="X-Client-Id sent on every voucher call")
    x_client_secret: SecretStr | None = Field(None, description="X-Client-Secret sent on every voucher call")
    catalogue_file: Path | None = Field(
        None, description="the catalogue file (CSV) handed over with the credentials; default: the sandbox's own"
    )
    product_class: str = Field("ETX_001", min_length=1, description="product class in the paths (ETX_001)")
    scope: str | None = Field(None, description="scope of the token request, if the provider gave one")
    environment: str | None = Field(None, description="uat, demo or production (production is guarded)")
    timeout_s: float = Field(15.0, gt=0, le=120, description="per-request timeout in seconds")

    @property
    def configured(self) -> bool:
        """True when any connection setting is given (then all required ones must be)."""
        return any((self.base_url, self.token_url, self.client_id, self.client_secret, self.x_client_id,
                    self.x_client_secret))

    def missing(self) -> list[str]:
        """Names of the required variables that are not set (the catalogue file is required for a target)."""
        names = {"base_url": self.base_url, "token_url": self.token_url, "client_id": self.client_id,
                 "client_secret": self.client_secret, "x_client_id": self.x_client_id,
                 "x_client_secret": self.x_client_secret, "catalogue_file": self.catalogue_file}
        return [f"UATCERT_V2__{k.upper()}" for k, v in names.items() if not v]


class AllSafeSettings(BaseModel):
    """AllSafe Redemption API target (base URL, username and password unset: the embedded sandbox)."""

    base_url: str | None = Field(None, description="API base URL (the host root), https only, e.g. https://<host>")
    username: str | None = Field(None, description="integration username (HTTP Basic)")
    password: SecretStr | None = Field(None, description="integration password (never written anywhere)")
    novault_username: str | None = Field(
        None, description="optional: an integration whose campaign has no vault linked (proves 491)"
    )
    novault_password: SecretStr | None = Field(None, description="its password")
    environment: str | None = Field(
        None, description="test (a Test integration: sample vouchers) or live (real vouchers: guarded as production)"
    )
    timeout_s: float = Field(30.0, gt=0, le=120, description="per-request timeout in seconds")
    connect_timeout_s: float = Field(10.0, gt=0, le=120, description="connect timeout in seconds")
    availability_path: str = Field("/availability", description="path of the availability call (documented)")
    allocate_path: str = Field("/allocate", description="path of the allocate call (UNDOCUMENTED: proposed)")
    allocate_method: str = Field("POST", description="POST, PUT or GET (GET sends the fields as query parameters)")
    vendor_field: str = Field("vendor", min_length=1, description="request field naming the vendor")
    value_field: str = Field("value", min_length=1, description="request field naming the face value")
    reference_field: str = Field("reference", description="request field of the client reference; empty: none sent")
    currency: str = Field("ZAR", min_length=1, description="currency of the values (UNDOCUMENTED: Rand assumed)")

    @field_validator("availability_path", "allocate_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(ch.isspace() for ch in value):
            raise ValueError("must be a path starting with '/'")
        return value

    @field_validator("allocate_method")
    @classmethod
    def _method(cls, value: str) -> str:
        if value.upper() not in ("POST", "PUT", "GET"):
            raise ValueError("must be POST, PUT or GET")
        return value.upper()

    @property
    def described(self) -> str:
        """How messages name the configured target."""
        return f"the AllSafe target {self.base_url} ({self.environment or 'test'} integration)"

    @property
    def configured(self) -> bool:
        """True when any connection setting is given (then all required ones must be)."""
        return any((self.base_url, self.username, self.password))

    def missing(self) -> list[str]:
        """Names of the required variables that are not set."""
        names = {"base_url": self.base_url, "username": self.username, "password": self.password}
        return [f"UATCERT_ALLSAFE__{k.upper()}" for k, v in names.items() if not v]

    @property
    def novault_configured(self) -> bool:
        return bool(self.novault_username and self.novault_password)


class SandboxSettings(BaseModel):
    """The embedded sandbox (used when no target is configured)."""

    catalogue: Path | None = Field(None, description="v3 catalogue data file (default: the seeded one)")
    defect: str | None = Field(None, description="defect mode: make the sandbox violate one behaviour")
    slow_commit_s: float = Field(1.5, gt=0, le=30, description="how long a slow commit holds its key")
    latency_ms: float = Field(0.0, ge=0, le=60_000, description="delay added to every API request (ms)")
    jitter_ms: float = Field(0.0, ge=0, le=60_000, description="each delay varies by up to this much (ms)")


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
    workers: int = Field(1, ge=1, le=32, description="provider calls in flight at once (1: strictly serial)")


class Settings(BaseSettings):
    """All settings of a run."""

    model_config = SettingsConfigDict(
        env_prefix="UATCERT_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    v3: V3Settings = Field(default_factory=V3Settings)
    v2: V2Settings = Field(default_factory=V2Settings)
    allsafe: AllSafeSettings = Field(default_factory=AllSafeSettings)
    sandbox: SandboxSettings = Field(default_factory=SandboxSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
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


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment (and `.env`), turning validation errors into ConfigError."""
    try:
        return Settings(**overrides).check()  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"UATCERT_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
