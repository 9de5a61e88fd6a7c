"""
Settings: nested pydantic-settings groups read from `UATCERT_*` environment variables and `.env`.

`UATCERT_V3__BASE_URL=https://host/v3` selects a real v3 target; with no target configured the suite
runs against the embedded sandbox. Read settings through `get_settings()`: every problem is one
`ConfigError` line naming the variable; a `UATCERT_*` variable that is no setting (a typo) is warned
with the closest real name (`setting_names()` lists them, derived from the model) and ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import io
import ipaddress
import json
import os
import re
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic.config import JsonDict
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from uatcert.errors import ConfigError

GIVEN_BY = "given_by"
"""Field metadata: where the provider gives a setting's value (`uatcert init` writes it into the .env)."""


def given_by(where: str) -> JsonDict:
    return {GIVEN_BY: where}


DEFAULT_PRODUCTION_PATTERNS = (r"(^|\.)api\.uniqrewards\.com$", r"(^|[.-])prod(uction)?([.-]|$)")
ENV_PREFIX = "UATCERT_"
NESTED = "__"


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


@dataclasses.dataclass(frozen=True)
class SettingName:
    """One `UATCERT_*` variable the model reads: a group (`UATCERT_V3`, JSON) or a field of one."""

    name: str
    secret: bool
    """A `SecretStr` field: its value is never repeated in a message."""
    json: str | None
    """What it holds when its value is JSON (a group: an object; a list field: a list), else None."""


def _holds(annotation: Any, kind: type) -> bool:
    """True when `annotation` is `kind` (or a subclass), alone or in a union / generic."""
    if isinstance(annotation, type) and issubclass(annotation, kind):
        return True
    origin = typing.get_origin(annotation)
    if origin is not None and isinstance(origin, type) and issubclass(origin, kind):
        return True
    return any(_holds(arg, kind) for arg in typing.get_args(annotation))


def setting_names() -> dict[str, SettingName]:
    """Every variable `Settings` reads, upper case, derived from the model (never a hand-kept list)."""
    names: dict[str, SettingName] = {}
    for group, field in Settings.model_fields.items():
        model = field.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel)
        head = f"{ENV_PREFIX}{group}".upper()
        names[head] = SettingName(head, False, 'an object of its settings, e.g. {"base_url": "https://<host>"}')
        for sub, info in model.model_fields.items():
            name = f"{head}{NESTED}{sub}".upper()
            is_list = typing.get_origin(info.annotation) in (list, tuple) or _holds(info.annotation, list)
            names[name] = SettingName(name, _holds(info.annotation, SecretStr),
                                      'a JSON list, e.g. ["one", "two"]' if is_list else None)
    return names


@dataclasses.dataclass(frozen=True)
class UnknownVariable:
    """A `UATCERT_*` variable that is no setting (ignored by the model)."""

    name: str
    source: str
    """"the environment" or the `.env` file it was found in."""
    suggestion: str | None
    """The closest real setting name, if one is close."""

    @property
    def hint(self) -> str:
        where = "" if self.source == "the environment" else f" (in {self.source})"
        advice = f"did you mean {self.suggestion}?" if self.suggestion else "no setting has a similar name"
        return f"{self.name}{where} is not a setting and is ignored: {advice}"


def _env_file() -> Path | None:
    configured = Settings.model_config.get("env_file")
    return Path(str(configured)) if isinstance(configured, str | os.PathLike) else None


def _dotenv(path: Path | None) -> dict[str, str]:
    """The `.env` file's variables (none when there is no file); ConfigError if it is not UTF-8 text."""
    if path is None or not path.is_file():
        return {}
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line}: not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8") from None
    return {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}


def unknown_variables(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> list[UnknownVariable]:
    """`UATCERT_*` variables of the environment and the `.env` file that no setting reads, each with the
    closest real name (difflib over every name of `setting_names()`)."""
    known = setting_names()
    found: dict[str, UnknownVariable] = {}
    sources = [("the environment", dict(os.environ if environ is None else environ)),
               (str(env_file), _dotenv(env_file))]
    for source, variables in sources:
        for name in variables:
            upper = name.upper()
            if not upper.startswith(ENV_PREFIX) or upper in known or upper in found:
                continue
            bare = {k.removeprefix(ENV_PREFIX): k for k in known}  # the shared prefix would make every name close
            close = difflib.get_close_matches(upper.removeprefix(ENV_PREFIX), list(bare), n=1, cutoff=0.75)
            found[upper] = UnknownVariable(name, source, bare[close[0]] if close else None)
    return list(found.values())


def _validation_text(exc: ValidationError, names: dict[str, SettingName]) -> str:
    problems = []
    for err in exc.errors():
        name = ENV_PREFIX + NESTED.join(str(p).upper() for p in err["loc"])
        text = str(err["msg"]).removeprefix("Value error, ")
        value = err.get("input")
        secret = any(n.secret for key, n in names.items() if name.startswith(key))
        if isinstance(value, str) and not secret and "@" not in value and len(value) <= 80:
            text += f" (got {value!r})"
        problems.append(f"{name}: {text}")
    return "invalid settings: " + "; ".join(problems)


def _json_text(exc: SettingsError, names: dict[str, SettingName], variables: dict[str, str]) -> str:
    """The variable whose value should be JSON and is not (pydantic-settings names only the group)."""
    group = re.search(r'field "(\w+)"', str(exc))
    head = f"{ENV_PREFIX}{group.group(1)}".upper() if group else ENV_PREFIX
    for name, value in variables.items():
        setting = names.get(name.upper())
        if setting is None or setting.json is None or not name.upper().startswith(head):
            continue
        try:
            json.loads(value)
        except ValueError:
            return f"invalid settings: {setting.name}: not valid JSON (expected {setting.json})"
    return f"invalid settings: {exc}"


def get_settings(*, warn: Callable[[str], None] | None = None, **overrides: object) -> Settings:
    """
    Read the settings from the environment (and `.env`); any problem is a one-line ConfigError naming the
    variable. Unknown `UATCERT_*` variables are passed to `warn` (one line each, with the closest real name)
    and ignored; when the settings are then incomplete, the error itself names the typo instead.
    """
    env_file = _env_file()
    unknown = unknown_variables(env_file=env_file)
    names = setting_names()
    try:
        try:
            settings = Settings(**overrides).check()  # type: ignore[arg-type]
        except ValidationError as exc:
            raise ConfigError(_validation_text(exc, names)) from None
        except SettingsError as exc:
            raise ConfigError(_json_text(exc, names, {**_dotenv(env_file), **os.environ})) from None
    except ConfigError as exc:
        related = [u for u in unknown if u.suggestion and re.search(rf"\b{u.suggestion}\b", str(exc))]
        for other in (u for u in unknown if u not in related):
            if warn is not None:
                warn(other.hint)
        if related:
            raise ConfigError(f"{exc} ({'; '.join(u.hint for u in related)})") from None
        raise
    for variable in unknown:
        if warn is not None:
            warn(variable.hint)
    return settings
