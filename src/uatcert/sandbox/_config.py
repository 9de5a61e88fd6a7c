"""Sandbox settings: clients, scope prefixes, catalogue file, defect mode, timings."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from uatcert.sandbox._defects import DEFECT_MODES

DEFAULT_CLIENT_ID = "uatcert-sandbox"
DEFAULT_CLIENT_SECRET = "sandbox-secret-7f3a9c1e2b"
READONLY_CLIENT_ID = "uatcert-readonly"
READONLY_CLIENT_SECRET = "readonly-secret-4d8e2a6b1c"
V3_SCOPES = ("issue_vouchers", "read_catalogue", "read_vouchers")
DEFAULT_SCOPE_PREFIXES = ("client_v3_uat/", "client_v3_demo/", "client_v3_sandbox/")


class SandboxClient(BaseModel):
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


def default_clients() -> list[SandboxClient]:
    """The full-scope client and the read-only client."""
    return [
        SandboxClient(client_id=DEFAULT_CLIENT_ID, client_secret=DEFAULT_CLIENT_SECRET, scopes=list(V3_SCOPES)),
        SandboxClient(
            client_id=READONLY_CLIENT_ID,
            client_secret=READONLY_CLIENT_SECRET,
            scopes=["read_catalogue", "read_vouchers"],
        ),
    ]


class SandboxConfig(BaseModel):
    """Everything `create_app` needs; the defaults give the seeded v3 sandbox."""

    model_config = ConfigDict(extra="forbid")

    catalogue_path: Path | None = None
    """Catalogue file; None = the seeded file shipped with the package."""
    clients: list[SandboxClient] = Field(default_factory=default_clients)
    scope_prefixes: list[str] = Field(default_factory=lambda: list(DEFAULT_SCOPE_PREFIXES))
    """Accepted scope prefixes; the first one is used when a token request omits `scope`."""
    defect: str | None = None
    token_ttl_s: int = Field(default=3600, ge=0)
    slow_commit_s: float = Field(default=1.0, ge=0)
    idempotency_retention_s: int = Field(default=86400, ge=0)
    """How long an idempotency record is kept; 0 = forever."""

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
        return self
