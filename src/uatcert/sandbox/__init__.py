"""
The embedded UNIQREWARDS Client API v3 sandbox: a real HTTP server with a seeded catalogue,
fault injection, an issuance ledger and defect modes, driven by a control API under /__sandbox/.

    app = create_app(SandboxConfig())
    with BackgroundServer(app) as srv, SandboxControl(srv.base_url) as ctl:
        ...
"""

from __future__ import annotations

from uatcert.sandbox._app import create_app
from uatcert.sandbox._catalogue import Catalogue, CatalogueProduct, load_catalogue
from uatcert.sandbox._cli import main
from uatcert.sandbox._client import SandboxControl
from uatcert.sandbox._config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    READONLY_CLIENT_ID,
    READONLY_CLIENT_SECRET,
    SandboxClient,
    SandboxConfig,
)
from uatcert.sandbox._defects import DEFECT_MODES
from uatcert.sandbox._faults import FAULT_KINDS
from uatcert.sandbox._server import BackgroundServer

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFECT_MODES",
    "FAULT_KINDS",
    "READONLY_CLIENT_ID",
    "READONLY_CLIENT_SECRET",
    "BackgroundServer",
    "Catalogue",
    "CatalogueProduct",
    "SandboxClient",
    "SandboxConfig",
    "SandboxControl",
    "create_app",
    "load_catalogue",
    "main",
]
