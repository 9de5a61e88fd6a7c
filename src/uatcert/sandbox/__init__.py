"""
The embedded sandbox: UNIQREWARDS Client API v3 and v2 and the AllSafe Redemption API on one real HTTP
server, with seeded catalogues, fault injection, an issuance ledger and defect modes, driven by a control
API under /__sandbox/.

A shared core (`_app`, `_server`, `_control`, `_faults`, `_ledger`, `_state`, `_tokens`, `_config`, `_cli`)
and one package per API (`v3/`, `v2/`, `allsafe/`: routes, state, codes, defects each).

    app = create_app(SandboxConfig())
    with BackgroundServer(app) as srv, SandboxControl(srv.base_url) as ctl:
        ...
"""

from __future__ import annotations

from uatcert.sandbox._app import create_app
from uatcert.sandbox._cli import main
from uatcert.sandbox._config import (
    ALLSAFE_EMPTY_PASSWORD,
    ALLSAFE_EMPTY_USERNAME,
    ALLSAFE_ENDED_PASSWORD,
    ALLSAFE_ENDED_USERNAME,
    ALLSAFE_LIVE_PASSWORD,
    ALLSAFE_LIVE_USERNAME,
    ALLSAFE_NOVAULT_PASSWORD,
    ALLSAFE_NOVAULT_USERNAME,
    ALLSAFE_PASSWORD,
    ALLSAFE_PENDING_PASSWORD,
    ALLSAFE_PENDING_USERNAME,
    ALLSAFE_PREFIX,
    ALLSAFE_REVOKED_PASSWORD,
    ALLSAFE_REVOKED_USERNAME,
    ALLSAFE_SOLD_OUT,
    ALLSAFE_UNSTOCKED_VENDOR,
    ALLSAFE_USERNAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    READONLY_CLIENT_ID,
    READONLY_CLIENT_SECRET,
    SANDBOX_SECRETS,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_SCOPE,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    SandboxConfig,
    SandboxCredentials,
    SandboxV2Credentials,
)
from uatcert.sandbox._control_client import SandboxControl
from uatcert.sandbox._faults import FAULT_KINDS
from uatcert.sandbox._modes import DEFECT_MODES
from uatcert.sandbox._server import BackgroundServer
from uatcert.sandbox.allsafe.control_client import AllSafeSandboxControl
from uatcert.sandbox.v2.catalogue import SEEDED_V2_CATALOGUE
from uatcert.sandbox.v3.catalogue import Catalogue, CatalogueProduct, load_catalogue

__all__ = [
    "ALLSAFE_EMPTY_PASSWORD",
    "ALLSAFE_EMPTY_USERNAME",
    "ALLSAFE_ENDED_PASSWORD",
    "ALLSAFE_ENDED_USERNAME",
    "ALLSAFE_LIVE_PASSWORD",
    "ALLSAFE_LIVE_USERNAME",
    "ALLSAFE_NOVAULT_PASSWORD",
    "ALLSAFE_NOVAULT_USERNAME",
    "ALLSAFE_PASSWORD",
    "ALLSAFE_PENDING_PASSWORD",
    "ALLSAFE_PENDING_USERNAME",
    "ALLSAFE_PREFIX",
    "ALLSAFE_REVOKED_PASSWORD",
    "ALLSAFE_REVOKED_USERNAME",
    "ALLSAFE_SOLD_OUT",
    "ALLSAFE_UNSTOCKED_VENDOR",
    "ALLSAFE_USERNAME",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFECT_MODES",
    "FAULT_KINDS",
    "READONLY_CLIENT_ID",
    "READONLY_CLIENT_SECRET",
    "SANDBOX_SECRETS",
    "SEEDED_V2_CATALOGUE",
    "V2_CLIENT_ID",
    "V2_CLIENT_SECRET",
    "V2_SCOPE",
    "V2_X_CLIENT_ID",
    "V2_X_CLIENT_SECRET",
    "AllSafeSandboxControl",
    "BackgroundServer",
    "Catalogue",
    "CatalogueProduct",
    "SandboxConfig",
    "SandboxControl",
    "SandboxCredentials",
    "SandboxV2Credentials",
    "create_app",
    "load_catalogue",
    "main",
]
