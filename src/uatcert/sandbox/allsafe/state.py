"""The AllSafe world of the sandbox: vaults and vouchers, campaigns and access, stock, allocations, switches.

Allocation is atomic: nothing awaits between choosing a voucher and marking it allocated (one event loop), so
parallel allocations never share a voucher and the last one goes to exactly one caller."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hmac
import secrets
import string
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request

from uatcert.errors import ConfigError
from uatcert.sandbox._config import ALLSAFE_PREFIX
from uatcert.sandbox._defects import DefectMode
from uatcert.sandbox._http import basic_credentials
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox.allsafe import defects as d
from uatcert.sandbox.allsafe.codes import Refusal, number
from uatcert.sandbox.allsafe.seed import SEED_FILE, Seed, SeedBatch, SeedCampaign, SeedIntegration, load_seed

SAST = dt.timezone(dt.timedelta(hours=2), "SAST")
"""UNDOCUMENTED: campaign dates are read in Africa/Johannesburg time (UTC+2, no DST), bounds inclusive."""
ARCHIVE_AFTER = dt.timedelta(days=30)
NOT_ATOMIC_HOLD_S = 1.0
"""Under `allsafe_allocation_not_atomic`: how long a chosen voucher waits for a concurrent allocation to pick it too."""
CampaignStatus = Literal["Pending", "Live", "Completed", "Archived"]


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
    allocation_answer: Literal["200_voucher", "204_no_content"] = "200_voucher"
    """How a successful allocation is answered: 200 with the voucher (proposed), or 204 No Content (the voucher
    is allocated, none comes back: the case the reference calls an anomaly, stock possibly consumed)."""


@dataclasses.dataclass
class Counters:
    interactions: int = 0
    """Every authenticated request of the campaign (reference §5, proposed)."""
    awarded: int = 0


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

    @classmethod
    def attached(cls, core: SandboxState) -> AllSafeWorld:
        """The seeded world, registered with the shared core (fault target, reset hook)."""
        world = cls.seeded()
        unknown = sorted(set(core.cfg.allsafe_passwords) - {i.username for i in world.seed.integrations})
        if unknown:
            raise ConfigError(f"allsafe_passwords: no seeded AllSafe integration {', '.join(unknown)}")
        world.seed.integrations = [i.model_copy(update={"password": core.cfg.allsafe_passwords.get(i.username,
                                                                                                  i.password)})
                                   for i in world.seed.integrations]
        world.reset()
        core.faults.register_api(f"{ALLSAFE_PREFIX}/", "allsafe")
        core.reset_hooks.append(world.reset)
        return world

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

    def authenticate(
        self, header: str, defective: Callable[[DefectMode], bool], *, availability: bool = False
    ) -> tuple[SeedIntegration, SeedCampaign]:
        """The caller's integration and campaign; Refusal(401) per the access table of reference §2."""
        lax = defective(d.WRONG_PASSWORD_ACCEPTED) or (
            availability and defective(d.AVAILABILITY_WRONG_PASSWORD_ACCEPTED))
        integration = self._credentials(header, check_password=not lax)
        if integration is None:
            raise Refusal(401, "authentication failed: wrong username or password")
        campaign = self.campaigns[integration.campaign]
        if integration.status == "Revoked" and not defective(d.REVOKED_INTEGRATION_ALLOWED):
            raise Refusal(401, "the integration's permission has been revoked")
        status = self.campaign_status(campaign, dt.datetime.now(SAST).date())
        if status in ("Completed", "Archived") and not defective(d.ENDED_CAMPAIGN_ALLOWED):
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


def world_of(request: Request) -> AllSafeWorld:
    world: AllSafeWorld = request.app.state.allsafe
    return world
