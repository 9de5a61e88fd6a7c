"""The API target groups of the settings (v3, v2, AllSafe): where each value comes from, URL checks."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic.config import JsonDict

GIVEN_BY = "given_by"
"""Field metadata: where the provider gives a setting's value (`uatcert init` writes it into the .env)."""


def given_by(where: str) -> JsonDict:
    return {GIVEN_BY: where}



def _http_url(value: str | None) -> str | None:
    """A target URL: http(s), with a host, without credentials in it (they would reach the evidence)."""
    if value is None:
        return None
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        host, parts = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ValueError("must be an http:// or https:// URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not hold credentials (user:password@); use the client id and secret settings")
    return value.strip()



class V3Settings(BaseModel):
    """UNIQREWARDS Client API v3 target (all unset: the embedded sandbox)."""

    base_url: str | None = Field(
        None, description="API base URL including /v3, e.g. https://host/v3",
        json_schema_extra=given_by(
            "UNIQREWARDS, with your UAT credentials (the UAT host is not published; DEMO: https://api.demo.uniqrewards.com/v3)"
        ),
    )
    token_url: str | None = Field(
        None, description="OAuth2 token URL, e.g. https://auth-host/oauth2/token",
        json_schema_extra=given_by("UNIQREWARDS, with your UAT credentials (the auth service's /oauth2/token URL)"),
    )
    client_id: str | None = Field(
        None, description="client id for the client-credentials grant",
        json_schema_extra=given_by(
            "UNIQREWARDS API Support: one client_id/client_secret pair per environment (UAT has its own)"
        ),
    )
    client_secret: SecretStr | None = Field(
        None, description="client secret (never written anywhere)",
        json_schema_extra=given_by("UNIQREWARDS API Support, with the client id (keep it on back-end systems only)"),
    )
    scope_prefix: str = Field(
        "client_v3_uat/", description="resource-server prefix of the scopes",
        json_schema_extra=given_by(
            "UNIQREWARDS, with your credentials: the prefix of your environment's scopes (DEMO: client_v3_demo/)"
        ),
    )
    readonly_client_id: str | None = Field(
        None, description="optional client without issue_vouchers",
        json_schema_extra=given_by("ask UNIQREWARDS for a second UAT client without the issue_vouchers scope"),
    )
    readonly_client_secret: SecretStr | None = Field(
        None, description="its secret",
        json_schema_extra=given_by("UNIQREWARDS, with that second client id"),
    )
    environment: str | None = Field(None, description="uat, demo or production (production is guarded)")
    timeout_s: float = Field(10.0, gt=0, le=120, description="seconds one HTTP exchange may take, connect to last byte")
    expected_products: str | None = Field(
        None, description="comma-separated codes of the products the integrator will sell (CAT, ISS-EVERY)",
        json_schema_extra=given_by("the product selection agreed with UNIQREWARDS for your UAT catalogue"),
    )

    _urls = field_validator("base_url", "token_url")(_http_url)

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

    base_url: str | None = Field(
        None, description="API base URL including /v2, e.g. https://host/v2",
        json_schema_extra=given_by(
            "UNIQREWARDS, with your v2 UAT credentials (the UAT host is not published; DEMO: https://api.demo.uniqrewards.com/v2)"
        ),
    )
    token_url: str | None = Field(
        None, description="token URL, e.g. https://host/v2/connect/token",
        json_schema_extra=given_by(
            "UNIQREWARDS, with your v2 UAT credentials (DEMO: https://api.demo.uniqrewards.com/v2/connect/token)"
        ),
    )
    client_id: str | None = Field(
        None, description="client_id of the token request",
        json_schema_extra=given_by("UNIQREWARDS: credential pair 1 of your environment (used only for the token)"),
    )
    client_secret: SecretStr | None = Field(
        None, description="client_secret of the token request (never written)",
        json_schema_extra=given_by("UNIQREWARDS: credential pair 1, with the client_id"),
    )
    x_client_id: str | None = Field(
        None, description="X-Client-Id sent on every voucher call",
        json_schema_extra=given_by("UNIQREWARDS: credential pair 2 of your environment (sent on every voucher call)"),
    )
    x_client_secret: SecretStr | None = Field(
        None, description="X-Client-Secret sent on every voucher call",
        json_schema_extra=given_by("UNIQREWARDS: credential pair 2, with the X-Client-Id"),
    )
    catalogue_file: Path | None = Field(
        None, description="the catalogue file (CSV) handed over with the credentials; default: the sandbox's own",
        json_schema_extra=given_by("UNIQREWARDS hands the catalogue over with the credentials; save it as CSV"),
    )
    product_class: str = Field("ETX_001", min_length=1, description="product class in the paths (ETX_001)")
    scope: str | None = Field(
        None, description="scope of the token request, if the provider gave one",
        json_schema_extra=given_by("UNIQREWARDS, with the credentials, if they gave one"),
    )
    environment: str | None = Field(None, description="uat, demo or production (production is guarded)")
    timeout_s: float = Field(15.0, gt=0, le=120, description="seconds one HTTP exchange may take, connect to last byte")

    _urls = field_validator("base_url", "token_url")(_http_url)

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

    base_url: str | None = Field(
        None, description="API base URL (the host root), https only, e.g. https://<host>",
        json_schema_extra=given_by("Techsys (AllSafe): the API host of your integration"),
    )
    username: str | None = Field(
        None, description="integration username (HTTP Basic)",
        json_schema_extra=given_by(
            "the AllSafe management portal: campaign setup, the integration's credentials (use a Test integration)"
        ),
    )
    password: SecretStr | None = Field(
        None, description="integration password (never written anywhere)",
        json_schema_extra=given_by("the AllSafe management portal, with the username"),
    )
    novault_username: str | None = Field(
        None, description="optional: an integration whose campaign has no vault linked (proves 491)",
        json_schema_extra=given_by("the AllSafe management portal: an integration of a campaign with no vault linked"),
    )
    novault_password: SecretStr | None = Field(
        None, description="its password",
        json_schema_extra=given_by("the AllSafe management portal, with that username"),
    )
    environment: str | None = Field(
        None, description="test (a Test integration: sample vouchers) or live (real vouchers: guarded as production)",
        json_schema_extra=given_by("the AllSafe management portal: the integration's status (Test or Live)"),
    )
    timeout_s: float = Field(30.0, gt=0, le=120, description="seconds one HTTP exchange may take, connect to last byte")
    connect_timeout_s: float = Field(10.0, gt=0, le=120, description="connect timeout in seconds")
    availability_path: str = Field("/availability", description="path of the availability call (documented)")
    allocate_path: str = Field("/allocate", description="path of the allocate call (UNDOCUMENTED: proposed)")
    allocate_method: str = Field("POST", description="POST, PUT or GET (GET sends the fields as query parameters)")
    vendor_field: str = Field("vendor", min_length=1, description="request field naming the vendor")
    value_field: str = Field("value", min_length=1, description="request field naming the face value")
    reference_field: str = Field("reference", description="request field of the client reference; empty: none sent")
    currency: str = Field("ZAR", min_length=1, description="currency of the values (UNDOCUMENTED: Rand assumed)")

    _url = field_validator("base_url")(_http_url)

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
