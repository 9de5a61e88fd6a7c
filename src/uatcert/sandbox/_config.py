"""Sandbox settings: clients, scope prefixes, catalogue file, defect mode, timings."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from uatcert.sandbox._modes import DEFECT_MODES

DEFAULT_CLIENT_ID = "uatcert-sandbox"
DEFAULT_CLIENT_SECRET = "sandbox-secret-7f3a9c1e2b"
READONLY_CLIENT_ID = "uatcert-readonly"
READONLY_CLIENT_SECRET = "readonly-secret-4d8e2a6b1c"
V3_SCOPES = ("issue_vouchers", "read_catalogue", "read_vouchers")
DEFAULT_SCOPE_PREFIXES = ("client_v3_uat/", "client_v3_demo/", "client_v3_sandbox/")

# UNIQREWARDS v2 (served under /v2): a token pair and an X-Client pair per client (reference §3.1).
V2_CLIENT_ID = "uatcert-v2-sandbox"
V2_CLIENT_SECRET = "v2-sandbox-secret-5c8e1a7d3f"
V2_X_CLIENT_ID = "5d1c0b7e9a2f4c6e8b3a1d0f7e2c9b4a"
V2_X_CLIENT_SECRET = "c7a3e9f1b5d2084a6e1c3b7d9f0a2e5c"
V2_SCOPE = "uniqrewards-client-api-v2"
"""Accepted (optional) token scope: an invented placeholder, the real value is UNDOCUMENTED (§3.2)."""

# AllSafe (served under ALLSAFE_PREFIX); the seeded integrations of data/allsafe_seed.json.
ALLSAFE_PREFIX = "/allsafe"
ALLSAFE_USERNAME = "allsafe-uat"
"""Test integration of the live campaign with stock (the suite's default credentials)."""
ALLSAFE_PASSWORD = "allsafe-uat-pw-8d41c7e2"
ALLSAFE_LIVE_USERNAME = "allsafe-live"
"""Live integration of the same campaign: it draws from the live pool, never the test one."""
ALLSAFE_LIVE_PASSWORD = "allsafe-live-pw-3b9f05a1"
ALLSAFE_REVOKED_USERNAME = "allsafe-revoked"
ALLSAFE_REVOKED_PASSWORD = "allsafe-revoked-pw-6e2d7c4b"
ALLSAFE_EMPTY_USERNAME = "allsafe-empty"
"""Test integration of a campaign whose vault has nothing left."""
ALLSAFE_EMPTY_PASSWORD = "allsafe-empty-pw-1a5c9e3f"
ALLSAFE_NOVAULT_USERNAME = "allsafe-novault"
"""Test integration of a campaign with no vault linked (491)."""
ALLSAFE_NOVAULT_PASSWORD = "allsafe-novault-pw-7c3a1f9d"
ALLSAFE_ENDED_USERNAME = "allsafe-ended"
"""Live integration of a campaign past its end date (401)."""
ALLSAFE_ENDED_PASSWORD = "allsafe-ended-pw-4f8b2d6e"
ALLSAFE_PENDING_USERNAME = "allsafe-pending"
"""Live integration of a campaign that has not started (401 unless live_integration_allowed_when_pending)."""
ALLSAFE_PENDING_PASSWORD = "allsafe-pending-pw-9d6e3b2a"
SANDBOX_SECRETS = (
    DEFAULT_CLIENT_SECRET, READONLY_CLIENT_SECRET, V2_CLIENT_SECRET, V2_X_CLIENT_SECRET, ALLSAFE_PASSWORD,
    ALLSAFE_LIVE_PASSWORD, ALLSAFE_REVOKED_PASSWORD, ALLSAFE_EMPTY_PASSWORD, ALLSAFE_NOVAULT_PASSWORD,
    ALLSAFE_ENDED_PASSWORD, ALLSAFE_PENDING_PASSWORD,
)
"""Every credential the seeded sandbox knows: masked in evidence and looked for by the secrets canary."""
ALLSAFE_SOLD_OUT = ("FuelCo", 500)
"""A vendor/value of the live campaign whose vouchers have all been handed out (492)."""
ALLSAFE_UNSTOCKED_VENDOR = "GhostVendor"
"""A vendor the platform knows that no vault holds (492, not 496)."""


class SandboxCredentials(BaseModel):
    """One API client the sandbox knows: credentials and scope names (without prefix)."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    scopes: list[str] = Field(default_factory=lambda: list(V3_SCOPES))

    @field_validator("client_id")
    @classmethod
    def _no_colon(cls, value: str) -> str:
        if ":" in value:
            raise ValueError("client_id cannot contain ':' (it is sent in HTTP Basic authentication)")
        return value

    @field_validator("scopes")
    @classmethod
    def _plain_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name or "/" in name or any(ch.isspace() for ch in name):
                raise ValueError(f"scope {name!r} must be a bare name such as 'read_vouchers' (no prefix)")
        return value


def default_clients() -> list[SandboxCredentials]:
    """The full-scope client and the read-only client."""
    return [
        SandboxCredentials(client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, scopes=list(V3_SCOPES)),
        SandboxCredentials(
            client_id=READONLY_CLIENT_ID,
            client_secret=READONLY_CLIENT_SECRET,
            scopes=["read_catalogue", "read_vouchers"],
        ),
    ]


class SandboxV2Credentials(BaseModel):
    """One v2 client: `client_id`/`client_secret` for tokens, `x_client_id`/`x_client_secret` on voucher calls."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    x_client_id: str = Field(min_length=1)
    x_client_secret: str = Field(min_length=1)


def default_v2_clients() -> list[SandboxV2Credentials]:
    """The v2 client of the suite, and a second one (to show that clients never see each other's vouchers)."""
    return [
        SandboxV2Credentials(client_id=V2_CLIENT_ID, client_secret=V2_CLIENT_SECRET, x_client_id=V2_X_CLIENT_ID,
                        x_client_secret=V2_X_CLIENT_SECRET),
        SandboxV2Credentials(client_id="uatcert-v2-other", client_secret="v2-other-secret-9e4b2d6f0a",
                        x_client_id="0a9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c",
                        x_client_secret="1f2e3d4c5b6a79808f7e6d5c4b3a2910"),
    ]


class SandboxConfig(BaseModel):
    """Everything `create_app` needs; the defaults give the seeded v3 sandbox."""

    model_config = ConfigDict(extra="forbid")

    catalogue_path: Path | None = None
    """Catalogue file; None = the seeded file shipped with the package."""
    clients: list[SandboxCredentials] = Field(default_factory=default_clients)
    scope_prefixes: list[str] = Field(default_factory=lambda: list(DEFAULT_SCOPE_PREFIXES))
    """Accepted scope prefixes; the first one is used when a token request omits `scope`."""
    defect: str | None = None
    token_ttl_s: int = Field(default=3600, ge=0)
    slow_commit_s: float = Field(default=1.0, ge=0)
    idempotency_retention_s: int = Field(default=86400, ge=0)
    """How long an idempotency record is kept; 0 = forever."""
    v2_catalogue_path: Path | None = None
    """v2 catalogue file (CSV); None = the seeded file shipped with the package."""
    latency_ms: float = Field(default=0.0, ge=0, le=60_000)
    """Delay added to every provider API request (token endpoints included; never the control API)."""
    jitter_ms: float = Field(default=0.0, ge=0, le=60_000)
    """Each delay is `latency_ms` plus or minus up to this much, uniformly (never below zero)."""
    v2_clients: list[SandboxV2Credentials] = Field(default_factory=default_v2_clients)
    v2_scope: str = V2_SCOPE
    v2_correlation_wait_s: float = Field(default=10.0, ge=0, le=60)
    """How long a v2 request waits for an in-progress one with the same X-Correlation-Id before 409."""
    v2_correlation_retention_s: int = Field(default=30 * 86400, ge=0)
    """How long a v2 X-Correlation-Id record is kept (reference §9.3 proposes 30 days); 0 = forever."""
    allsafe_passwords: dict[str, str] = Field(default_factory=dict)
    """AllSafe passwords replacing the seeded ones, by username (e.g. to run with distinctive credentials)."""

    @field_validator("defect")
    @classmethod
    def _known_defect(cls, value: str | None) -> str | None:
        if value is not None and value not in DEFECT_MODES:
            raise ValueError(f"unknown defect mode {value!r}; choose one of: {', '.join(DEFECT_MODES)}")
        return value

    @field_validator("scope_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("at least one scope prefix is needed")
        out = []
        for prefix in value:
            if not prefix.strip("/") or any(ch.isspace() for ch in prefix):
                raise ValueError(f"bad scope prefix {prefix!r}")
            out.append(prefix if prefix.endswith("/") else prefix + "/")
        return out

    @model_validator(mode="after")
    def _unique_clients(self) -> SandboxConfig:
        if not self.clients:
            raise ValueError("at least one client is needed")
        ids = [c.client_id for c in self.clients]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate client_id: {', '.join(dupes)}")
        for field in ("client_id", "x_client_id"):
            v2_ids = [getattr(c, field) for c in self.v2_clients]
            v2_dupes = sorted({i for i in v2_ids if v2_ids.count(i) > 1})
            if v2_dupes:
                raise ValueError(f"duplicate v2 {field}: {', '.join(v2_dupes)}")
        return self
