"""The AllSafe seed file (`data/allsafe_seed.json`): vendors, vaults and their vouchers, campaigns, integrations."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from uatcert.errors import ConfigError

SEED_FILE = Path(__file__).parent.parent / "data" / "allsafe_seed.json"
IntegrationStatus = Literal["Test", "Live", "Revoked"]


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
