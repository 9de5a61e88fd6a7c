"""
The AllSafe Redemption API in the sandbox (reference `allsafe-api.md`), under `/allsafe`:

    GET  /allsafe/availability     the caller's campaign's voucher types with what is left (DOC path)
    POST /allsafe/allocate         allocate one voucher {"vendor", "value", "reference"} (proposed, §3.2)
    GET  /allsafe/docs             the simulated OpenAPI document of the proposed contract

and its control API under `/__sandbox/allsafe/` (stock, allocations, switches, info). The generic
control API applies too: faults (`api: "allsafe"`), the issuance ledger (`api=allsafe`), defect modes
(`allsafe_*`) and `POST /__sandbox/reset`, which also reseeds the AllSafe world (`create_app` makes
`AllSafeWorld.reset` one of the sandbox's reset hooks).

Allocation is atomic: nothing awaits between choosing a voucher and marking it allocated (one event
loop), so parallel allocations never share a voucher and the last one goes to exactly one caller.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import json
import math
import secrets
import string
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.errors import ConfigError
from uatcert.sandbox._config import ALLSAFE_PREFIX
from uatcert.sandbox._control import bad_request, json_object
from uatcert.sandbox._defects import DEFECT_MODES
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import (
    FAULT_KEY,
    basic_credentials,
    data_response,
    dumps,
    json_response,
    reject_json_constant,
    request_id_of,
    state_of,
)

SEED_FILE = Path(__file__).parent / "data" / "allsafe_seed.json"
CONTROL_PREFIX = "/__sandbox/allsafe"
SAST = dt.timezone(dt.timedelta(hours=2), "SAST")
"""UNDOCUMENTED: campaign dates are read in Africa/Johannesburg time (UTC+2, no DST), bounds inclusive."""
ARCHIVE_AFTER = dt.timedelta(days=30)
NOT_ATOMIC_HOLD_S = 1.0
"""Under `allsafe_allocation_not_atomic`: how long a chosen voucher waits for a concurrent allocation to pick it too."""

IntegrationStatus = Literal["Test", "Live", "Revoked"]
CampaignStatus = Literal["Pending", "Live", "Completed", "Archived"]
TITLES = {401: "Unauthorized", 491: "No Vault Linked", 492: "No vouchers", 495: "Validation Failed",
          496: "Invalid Vendor", 500: "Internal Server Error"}
"""DOC labels of the status table (500: the `allsafe_*_500` defects only)."""


# -- seed ------------------------------------------------------------------------------------------
class SeedBatch(BaseModel):
    """Vouchers of one vendor/value imported into a vault."""

    model_config = ConfigDict(extra="forbid")

    vendor: str = Field(min_length=1)
    value: Decimal = Field(gt=0)
    count: int = Field(ge=0)
    """Available vouchers."""
    test: bool = True
    """Test ("sample") vouchers, or live ones."""
    allocated: int = Field(default=0, ge=0)
    """Vouchers already handed out before the seed (they make a type with nothing left)."""
    expired: int = Field(default=0, ge=0)
    """Unallocated vouchers already past their expiry date (never counted, never allocated)."""
    pin: bool = True
    serial: bool = True
    valid_days: int = Field(default=365, ge=1, le=3650)


class SeedVault(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    brand: str = Field(min_length=1)
    vouchers: list[SeedBatch] = Field(default_factory=list)


class SeedCampaign(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    vaults: list[str] = Field(default_factory=list)


class SeedIntegration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)
    status: IntegrationStatus
    campaign: str

    @field_validator("username")
    @classmethod
    def _no_colon(cls, value: str) -> str:
        if ":" in value:
            raise ValueError("a username cannot contain ':' (HTTP Basic)")
        return value


class Seed(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = ""
    vendors: list[str]
    vaults: list[SeedVault]
    campaigns: list[SeedCampaign]
    integrations: list[SeedIntegration]

    @model_validator(mode="after")
    def _references(self) -> Seed:
        vaults = {v.id for v in self.vaults}
        campaigns = {c.id for c in self.campaigns}
        for campaign in self.campaigns:
            missing = [v for v in campaign.vaults if v not in vaults]
            if missing:
                raise ValueError(f"campaign {campaign.id} links unknown vault(s) {', '.join(missing)}")
        names = [i.username for i in self.integrations]
        if len(set(names)) != len(names):
            raise ValueError("integration usernames must be unique")
        for integration in self.integrations:
            if integration.campaign not in campaigns:
                raise ValueError(f"integration {integration.username} names unknown campaign {integration.campaign}")
        for vault in self.vaults:
            for batch in vault.vouchers:
                if batch.vendor not in self.vendors:
                    raise ValueError(f"vault {vault.id} holds vendor {batch.vendor!r} missing from vendors")
        return self


def load_seed(path: Path = SEED_FILE) -> Seed:
    """The seed file; ConfigError naming the problem."""
    try:
        return Seed.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"AllSafe seed {path}: {exc.strerror or exc}") from None
    except ValueError as exc:  # JSON and validation errors
        raise ConfigError(f"AllSafe seed {path}: {exc}") from None


# -- the world -------------------------------------------------------------------------------------
@dataclasses.dataclass
class SandboxVoucher:
    id: str
    vendor: str
    value: Decimal
    code: str
    pin: str | None
    serial_number: str | None
    expiry: dt.datetime
    test: bool
    state: Literal["available", "allocated", "exported"] = "available"
    by_api: bool = False
    """Allocated through the API since the last reset (what `allsafe_stock_not_decremented` ignores)."""

    def usable(self, now: dt.datetime) -> bool:
        return self.state == "available" and self.expiry > now

    def public(self, reference: str | None, *, with_code: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "vendor": self.vendor, "value": number(self.value)}
        if with_code:
            body.update(code=self.code, pin=self.pin)
        body.update(
            serialNumber=self.serial_number,
            expiryDate=self.expiry.isoformat(timespec="seconds"),
            reference=reference,
        )
        return body


class Switches(BaseModel):
    """Behaviour on UNDOCUMENTED points (reference §6), settable through the control API."""

    model_config = ConfigDict(extra="forbid", strict=True)

    availability_empty_mode: Literal["204", "200_empty_array", "492"] = "204"
    """How availability answers a campaign with vaults but nothing left."""
    live_integration_allowed_when_pending: bool = False
    include_zero_remaining: bool = False
    """List voucher types with nothing left (remaining 0) in availability."""
    error_body: Literal["json", "empty", "text"] = "json"
    www_authenticate_header: bool = True


@dataclasses.dataclass
class Counters:
    interactions: int = 0
    """Every authenticated request of the campaign (reference §5, proposed)."""
    awarded: int = 0


class Refusal(Exception):
    """An AllSafe error answer: status, detail, optional field errors."""

    def __init__(self, status: int, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors


class AllSafeWorld:
    """Vendors, vaults, vouchers, campaigns, integrations, allocations. Only touched from the event loop."""

    def __init__(self, seed: Seed) -> None:
        self.seed = seed
        self.vendors: set[str] = set()
        self.vaults: dict[str, list[SandboxVoucher]] = {}
        self.campaigns: dict[str, SeedCampaign] = {}
        self.integrations: dict[str, SeedIntegration] = {}
        self.allocations: list[dict[str, Any]] = []
        self.counters: dict[str, Counters] = {}
        self.switches = Switches()
        self._codes: set[str] = set()
        self._lonely: list[asyncio.Event] = []
        self.reset()

    @classmethod
    def seeded(cls, path: Path = SEED_FILE) -> AllSafeWorld:
        return cls(load_seed(path))

    def reset(self) -> None:
        """Back to the seed: fresh vouchers (new codes), no allocations, counters at 0, default switches."""
        now = dt.datetime.now(SAST)
        self._codes = set()
        self.vendors = set(self.seed.vendors)
        self.vaults = {vault.id: [v for batch in vault.vouchers for v in self._batch(batch, now)]
                       for vault in self.seed.vaults}
        self.campaigns = {c.id: c for c in self.seed.campaigns}
        self.integrations = {i.username: i for i in self.seed.integrations}
        self.allocations = []
        self.counters = {c.id: Counters() for c in self.seed.campaigns}
        self.switches = Switches()

    # vouchers ---------------------------------------------------------------------------------
    def _batch(self, batch: SeedBatch, now: dt.datetime) -> list[SandboxVoucher]:
        vouchers = []
        for state, count in (("allocated", batch.allocated), ("expired", batch.expired), ("available", batch.count)):
            for _ in range(count):
                voucher = self.new_voucher(batch.vendor, batch.value, batch.test, now, batch.valid_days,
                                           pin=batch.pin, serial=batch.serial)
                if state == "allocated":
                    voucher.state = "allocated"
                elif state == "expired":
                    voucher.expiry = (now - dt.timedelta(days=1)).replace(hour=23, minute=59, second=59, microsecond=0)
                vouchers.append(voucher)
        return vouchers

    def new_voucher(
        self, vendor: str, value: Decimal, test: bool, now: dt.datetime, valid_days: int = 365, *,
        pin: bool = True, serial: bool = True,
    ) -> SandboxVoucher:
        expiry_day = now.date() + dt.timedelta(days=valid_days)
        return SandboxVoucher(
            id=str(uuid.uuid4()),
            vendor=vendor,
            value=value,
            code=self._unique_code(vendor, test),
            pin=f"{secrets.randbelow(10_000):04d}" if pin else None,
            serial_number=f"{secrets.randbelow(10**12):012d}" if serial else None,
            expiry=dt.datetime(expiry_day.year, expiry_day.month, expiry_day.day, 23, 59, 59, tzinfo=SAST),
            test=test,
        )

    def _unique_code(self, vendor: str, test: bool) -> str:
        prefix = ("T" if test else "") + ("".join(ch for ch in vendor.upper() if ch.isalpha())[:3] or "VCH")
        alphabet = string.ascii_uppercase + string.digits
        while True:
            code = prefix + "-" + "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
            if code not in self._codes:
                self._codes.add(code)
                return code

    def campaign_vouchers(self, campaign: SeedCampaign) -> list[SandboxVoucher]:
        """The vouchers of the campaign's linked vaults, vault by vault in import order (FIFO)."""
        return [v for vault in campaign.vaults for v in self.vaults.get(vault, [])]

    # campaigns and access -----------------------------------------------------------------------
    def campaign_status(self, campaign: SeedCampaign, today: dt.date) -> CampaignStatus:
        """Recomputed on every request (reference §5)."""
        if campaign.end is not None and today > campaign.end:
            return "Archived" if today > campaign.end + ARCHIVE_AFTER else "Completed"
        in_dates = campaign.start is None or campaign.start <= today
        active = any(i.campaign == campaign.id and i.status != "Revoked" for i in self.integrations.values())
        return "Live" if in_dates and campaign.vaults and active else "Pending"

    def authenticate(self, header: str, defect: str | None) -> tuple[SeedIntegration, SeedCampaign]:
        """The caller's integration and campaign; Refusal(401) per the access table of reference §2."""
        integration = self._credentials(header, check_password=defect != "allsafe_wrong_password_accepted")
        if integration is None:
            raise Refusal(401, "authentication failed: wrong username or password")
        campaign = self.campaigns[integration.campaign]
        if integration.status == "Revoked" and defect != "allsafe_revoked_integration_allowed":
            raise Refusal(401, "the integration's permission has been revoked")
        status = self.campaign_status(campaign, dt.datetime.now(SAST).date())
        if status in ("Completed", "Archived") and defect != "allsafe_ended_campaign_allowed":
            raise Refusal(401, f"the campaign is {status}: it is past its end date")
        pending_allowed = self.switches.live_integration_allowed_when_pending
        if status == "Pending" and integration.status == "Live" and not pending_allowed:
            raise Refusal(401, "the campaign is not live (Pending): check its status and start and end dates")
        self.counters[campaign.id].interactions += 1
        return integration, campaign

    def _credentials(self, header: str, *, check_password: bool) -> SeedIntegration | None:
        credentials = basic_credentials(header)
        if credentials is None:
            return None
        username, password = credentials
        integration = self.integrations.get(username)
        if integration is None:
            return None
        if check_password and not hmac.compare_digest(integration.password.encode(), password.encode()):
            return None
        return integration

    # stock --------------------------------------------------------------------------------------
    def types(self, campaign: SeedCampaign, test: bool, now: dt.datetime, *, count_api_allocations: bool = False
              ) -> dict[tuple[str, Decimal], int]:
        """(vendor, value) -> vouchers left in the campaign's vaults for one pool (expired ones never count)."""
        result: dict[tuple[str, Decimal], int] = {}
        for voucher in self.campaign_vouchers(campaign):
            if voucher.test != test:
                continue
            key = (voucher.vendor, voucher.value.normalize())
            counted = voucher.usable(now) or (count_api_allocations and voucher.by_api and voucher.expiry > now)
            result[key] = result.get(key, 0) + (1 if counted else 0)
        return result

    def pick(self, campaign: SeedCampaign, test: bool, vendor: str | None, value: Decimal | None,
             now: dt.datetime) -> SandboxVoucher | None:
        """The first usable voucher (FIFO) of vendor/value; None for vendor or value = any."""
        for voucher in self.campaign_vouchers(campaign):
            if voucher.test != test or not voucher.usable(now):
                continue
            if (vendor is None or voucher.vendor == vendor) and (value is None or voucher.value == value):
                return voucher
        return None

    async def overlap(self) -> None:
        """The `allsafe_allocation_not_atomic` defect, made deterministic: between choosing a voucher and
        marking it, an allocation waits (up to NOT_ATOMIC_HOLD_S) for a concurrent one, which chooses the same
        voucher and wakes it. Sequential allocations are only slowed down; parallel ones share vouchers."""
        if self._lonely:
            self._lonely.pop(0).set()
            return
        company = asyncio.Event()
        self._lonely.append(company)
        try:
            await asyncio.wait_for(company.wait(), NOT_ATOMIC_HOLD_S)
        except TimeoutError:
            pass
        finally:
            if company in self._lonely:
                self._lonely.remove(company)

    def holds(self, campaign: SeedCampaign, test: bool, vendor: str, value: Decimal) -> bool:
        """True when the campaign's vaults ever held a voucher of vendor/value (whatever its state now)."""
        return any(v.test == test and v.vendor == vendor and v.value == value for v in self.campaign_vouchers(campaign))

    def set_stock(self, campaign: SeedCampaign, vendor: str, value: Decimal, count: int, test: bool) -> int:
        """Make exactly `count` usable vouchers of vendor/value (pool `test`) in the campaign's first vault."""
        if not campaign.vaults:
            raise ValueError(f"campaign {campaign.id} has no vault")
        now = dt.datetime.now(SAST)
        usable = [v for v in self.campaign_vouchers(campaign)
                  if v.test == test and v.vendor == vendor and v.value == value and v.usable(now)]
        for voucher in usable[count:]:
            voucher.state = "exported"  # like a portal export: used, never imported again
        vault = self.vaults[campaign.vaults[0]]
        for _ in range(count - len(usable)):
            vault.append(self.new_voucher(vendor, value, test, now))
        self.vendors.add(vendor)
        return count


def number(value: Decimal) -> int | float:
    """A JSON number: an integer when whole."""
    return int(value) if value == value.to_integral_value() else float(value)


def world_of(request: Request) -> AllSafeWorld:
    world: AllSafeWorld = request.app.state.allsafe
    return world


# -- answers ---------------------------------------------------------------------------------------
def refusal_response(world: AllSafeWorld, refusal: Refusal) -> Response:
    """An error answer in the form the `error_body` switch asks for (UNDOCUMENTED body, reference §4.3)."""
    headers: dict[str, str] = {}
    if refusal.status == 401 and world.switches.www_authenticate_header:
        headers["WWW-Authenticate"] = 'Basic realm="AllSafe"'
    title = TITLES.get(refusal.status, "Error")
    mode = world.switches.error_body
    if mode == "empty":
        return Response(b"", refusal.status, headers=headers)
    if mode == "text":
        return Response(f"{refusal.status} {title}: {refusal.detail}", refusal.status, headers=headers,
                        media_type="text/plain")
    body: dict[str, Any] = {"status": refusal.status, "title": title, "detail": refusal.detail}
    if refusal.errors:
        body["errors"] = refusal.errors
    return Response(dumps(body), refusal.status, headers=headers, media_type="application/problem+json")


def _authenticated(request: Request) -> tuple[AllSafeWorld, SeedIntegration, SeedCampaign]:
    world = world_of(request)
    integration, campaign = world.authenticate(request.headers.get("authorization", ""), state_of(request).defect)
    return world, integration, campaign


async def availability(request: Request) -> Response:
    """GET /availability: 401 -> 491 -> 200 list / nothing available (204 by default)."""
    world = world_of(request)
    defect = state_of(request).defect
    try:
        world, integration, campaign = _authenticated(request)
        if not campaign.vaults:
            if defect == "allsafe_no_vault_492":
                raise Refusal(492, "no vouchers available")
            raise Refusal(491, f"campaign {campaign.name or campaign.id!r} has no linked vault")
        now = dt.datetime.now(SAST)
        counts = world.types(campaign, integration.status != "Live", now,
                             count_api_allocations=defect == "allsafe_stock_not_decremented")
        if not any(counts.values()):
            if defect == "allsafe_empty_availability_500":
                raise Refusal(500, "availability failed for a campaign with nothing left")
            mode = world.switches.availability_empty_mode
            if mode == "204":
                return Response(status_code=204)
            if mode == "200_empty_array":
                return json_response([])
            raise Refusal(492, "no vouchers available in the campaign's vaults")
    except Refusal as refusal:
        return refusal_response(world, refusal)
    entries = [
        {"vendor": vendor, "value": number(value), "remaining": remaining}
        for (vendor, value), remaining in sorted(counts.items())
        if remaining > 0 or world.switches.include_zero_remaining
    ]
    return json_response(entries)


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def parse_allocation(content_type: str, body: bytes, *, accept_non_positive: bool) -> tuple[str, Decimal, str | None]:
    """vendor, value, reference of an allocate request; Refusal(495) with field errors (reference §3.2)."""
    if not _is_json(content_type):
        raise Refusal(495, "the request body must be JSON (Content-Type: application/json)",
                      {"body": ["must be application/json"]})
    if not body.strip():
        raise Refusal(495, "the request body is empty", {"body": ["is required"]})
    try:
        obj = json.loads(body, parse_constant=reject_json_constant)
    except (ValueError, RecursionError):
        raise Refusal(495, "the request body is not valid JSON", {"body": ["is not valid JSON"]}) from None
    if not isinstance(obj, dict):
        raise Refusal(495, "the request body must be a JSON object", {"body": ["must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    vendor = obj.get("vendor")
    if vendor is None:
        errors["vendor"] = ["is required"]
    elif not isinstance(vendor, str):
        errors["vendor"] = ["must be a string"]
    elif not vendor.strip():
        errors["vendor"] = ["must not be empty"]
    raw_value = obj.get("value")
    value: Decimal | None = None
    if raw_value is None:
        errors["value"] = ["is required"]
    elif isinstance(raw_value, bool) or not isinstance(raw_value, int | float) or not math.isfinite(raw_value):
        errors["value"] = ["must be a number"]
    else:
        value = Decimal(str(raw_value)) if isinstance(raw_value, float) else Decimal(raw_value)
        if value <= 0 and not accept_non_positive:
            errors["value"] = ["must be greater than 0"]
    reference = obj.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors["reference"] = ["must be a string"]
    if errors:
        raise Refusal(495, "the request failed validation", errors)
    assert isinstance(vendor, str) and value is not None
    return vendor, value, reference if isinstance(reference, str) else None


async def allocate(request: Request) -> Response:
    """POST /allocate: 401 -> 495 -> 491 -> 496 -> 492 -> 200, one voucher, atomically."""
    st = state_of(request)
    world = world_of(request)
    defect = st.defect
    body = await request.body()
    try:
        world, integration, campaign = _authenticated(request)
        content_type = request.headers.get("content-type", "")
        lenient = defect == "allsafe_invalid_value_accepted"
        vendor, value, reference = parse_allocation(content_type, body, accept_non_positive=lenient)
        if not campaign.vaults:
            if defect == "allsafe_no_vault_492":
                raise Refusal(492, f"no vouchers available for vendor {vendor!r} value {number(value)}")
            raise Refusal(491, f"campaign {campaign.name or campaign.id!r} has no linked vault")
        test = integration.status != "Live"
        now = dt.datetime.now(SAST)
        wanted_vendor: str | None = vendor
        wanted_value: Decimal | None = value
        if vendor not in world.vendors:
            if defect != "allsafe_unknown_vendor_allocates":
                raise Refusal(496, f"vendor {vendor!r} is not known")
            wanted_vendor = None
        if value <= 0:  # only under allsafe_invalid_value_accepted
            wanted_value = None
        voucher = world.pick(campaign, test, wanted_vendor, wanted_value, now)
        if voucher is None and wanted_vendor is None:
            voucher = world.pick(campaign, test, None, None, now)
        if voucher is None:
            if defect == "allsafe_unmatched_value_500" and not world.holds(campaign, test, vendor, value):
                raise Refusal(500, "allocation failed")
            raise Refusal(492, f"no vouchers available for vendor {vendor!r} value {number(value)}")
    except Refusal as refusal:
        return refusal_response(world, refusal)
    if defect == "allsafe_allocation_not_atomic":
        await world.overlap()  # the defect: a concurrent allocation picks the same voucher meanwhile
    voucher.state, voucher.by_api = "allocated", True
    world.counters[campaign.id].awarded += 1
    fault: Fault | None = request.scope.get(FAULT_KEY)
    request_id = request_id_of(request)
    world.allocations.append({
        "seq": len(world.allocations) + 1, "voucher_id": voucher.id, "vendor": voucher.vendor,
        "value": number(voucher.value), "reference": reference, "username": integration.username,
        "campaign": campaign.id, "pool": "test" if voucher.test else "live", "request_id": request_id,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
    })
    st.record_issuance(
        api="allsafe",
        client_id=integration.username,
        idempotency_key=reference,
        product_code=voucher.vendor,
        quantity=1,
        face_value=number(voucher.value),
        voucher_ids=[voucher.id],
        http_status=200,
        request_id=request_id,
        fault=None if fault is None else fault.spec.kind,
        campaign=campaign.id,
        reference=reference,
    )
    payload = voucher.public(reference, with_code=defect != "allsafe_voucher_without_code")
    return json_response(payload)


async def docs(request: Request) -> Response:
    """A simulated OpenAPI document of the proposed contract (the real `/docs` was never seen)."""
    return json_response(OPENAPI)


OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "AllSafe Redemption API (uatcert sandbox, SIMULATED)", "version": "proposed",
             "description": "The contract uatcert tests against. Only /availability and the status codes are "
                            "documented by AllSafe; everything else is the reference's proposal."},
    "x-simulated": True,
    "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"}}},
    "security": [{"basic": []}],
    "paths": {
        "/availability": {"get": {"responses": {
            "200": {"description": "[{vendor, value, remaining}] sorted by vendor, then value"},
            "204": {"description": "nothing available"}, "401": {"description": "Unauthorized"},
            "491": {"description": "No Vault Linked"}}}},
        "/allocate": {"post": {
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["vendor", "value"],
                "properties": {"vendor": {"type": "string"}, "value": {"type": "number", "exclusiveMinimum": 0},
                               "reference": {"type": "string"}}}}}},
            "responses": {
                "200": {"description": "{id, vendor, value, code, pin, serialNumber, expiryDate, reference}"},
                "401": {"description": "Unauthorized"}, "491": {"description": "No Vault Linked"},
                "492": {"description": "No vouchers"}, "495": {"description": "Validation Failed"},
                "496": {"description": "Invalid Vendor"}}}},
    },
}

ROUTES = [
    Route(f"{ALLSAFE_PREFIX}/availability", availability, methods=["GET"]),
    Route(f"{ALLSAFE_PREFIX}/allocate", allocate, methods=["POST"]),
    Route(f"{ALLSAFE_PREFIX}/docs", docs, methods=["GET"]),
]


# -- control API -----------------------------------------------------------------------------------
class _StockChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    vendor: str = Field(min_length=1)
    value: int | float
    count: int = Field(ge=0, le=100_000)
    campaign: str = "camp-live"
    pool: Literal["test", "live"] = "test"

    @field_validator("value")
    @classmethod
    def _positive(cls, value: int | float) -> int | float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError("must be a number greater than 0")
        return value


def _problems(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "body"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


async def control_info(request: Request) -> Response:
    world = world_of(request)
    base = str(request.base_url).rstrip("/")
    today = dt.datetime.now(SAST).date()
    return data_response({
        "base_url": f"{base}{ALLSAFE_PREFIX}",
        "availability": f"GET {ALLSAFE_PREFIX}/availability",
        "allocate": f"POST {ALLSAFE_PREFIX}/allocate",
        "integrations": [
            {"username": i.username, "password": i.password, "status": i.status, "campaign": i.campaign}
            for i in world.integrations.values()
        ],
        "campaigns": [
            {"id": c.id, "name": c.name, "status": world.campaign_status(c, today), "vaults": list(c.vaults),
             "start": c.start.isoformat() if c.start else None, "end": c.end.isoformat() if c.end else None,
             **dataclasses.asdict(world.counters[c.id])}
            for c in world.campaigns.values()
        ],
        "vendors": sorted(world.vendors),
        "switches": world.switches.model_dump(),
        "defect": state_of(request).defect,
        "defect_modes": {k: v for k, v in DEFECT_MODES.items() if k.startswith("allsafe_")},
    })


async def control_stock(request: Request) -> Response:
    """GET: every (campaign, pool, vendor, value) with available, allocated, expired counts."""
    world = world_of(request)
    unknown = set(request.query_params) - {"campaign", "username"}
    if unknown:
        return bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    wanted = request.query_params.get("campaign")
    if username := request.query_params.get("username"):
        integration = world.integrations.get(username)
        if integration is None:
            return bad_request(f"no integration {username!r}", 404)
        wanted = integration.campaign
    now = dt.datetime.now(SAST)
    rows: dict[tuple[str, str, str, Decimal], dict[str, Any]] = {}
    for campaign in world.campaigns.values():
        if wanted and campaign.id != wanted:
            continue
        for voucher in world.campaign_vouchers(campaign):
            pool = "test" if voucher.test else "live"
            key = (campaign.id, pool, voucher.vendor, voucher.value.normalize())
            row = rows.setdefault(key, {"campaign": campaign.id, "pool": pool, "vendor": voucher.vendor,
                                        "value": number(voucher.value), "available": 0, "allocated": 0,
                                        "expired": 0, "exported": 0})
            if voucher.state == "available":
                row["available" if voucher.expiry > now else "expired"] += 1
            else:
                row[voucher.state] += 1
    return data_response([rows[k] for k in sorted(rows)])


async def control_set_stock(request: Request) -> Response:
    """PUT {"vendor", "value", "count", "campaign"?, "pool"?}: exactly `count` usable vouchers of that type."""
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        change = _StockChange.model_validate(obj)
    except ValidationError as exc:
        return bad_request(f"bad stock change: {_problems(exc)}")
    world = world_of(request)
    campaign = world.campaigns.get(change.campaign)
    if campaign is None:
        return bad_request(f"no campaign {change.campaign!r}", 404)
    value = Decimal(str(change.value))
    try:
        world.set_stock(campaign, change.vendor, value, change.count, change.pool == "test")
    except ValueError as exc:
        return bad_request(str(exc))
    return data_response({**change.model_dump(), "remaining": change.count})


async def control_allocations(request: Request) -> Response:
    world = world_of(request)
    unknown = set(request.query_params) - {"reference", "username"}
    if unknown:
        return bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    entries = world.allocations
    if (reference := request.query_params.get("reference")) is not None:
        entries = [e for e in entries if e["reference"] == reference]
    if username := request.query_params.get("username"):
        entries = [e for e in entries if e["username"] == username]
    return data_response(entries)


async def control_switches(request: Request) -> Response:
    world = world_of(request)
    if request.method == "GET":
        return data_response(world.switches.model_dump())
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        world.switches = Switches.model_validate({**world.switches.model_dump(), **obj})
    except ValidationError as exc:
        return bad_request(f"bad switches: {_problems(exc)}")
    return data_response(world.switches.model_dump())


CONTROL_ROUTES = [
    Route(f"{CONTROL_PREFIX}/info", control_info, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/stock", control_stock, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/stock", control_set_stock, methods=["PUT"]),
    Route(f"{CONTROL_PREFIX}/allocations", control_allocations, methods=["GET"]),
    Route(f"{CONTROL_PREFIX}/switches", control_switches, methods=["GET", "PUT"]),
]
