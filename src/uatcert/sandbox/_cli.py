"""`uatcert sandbox`: run the sandbox standalone until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from pydantic import ValidationError

from uatcert.errors import ConfigError, SandboxError
from uatcert.sandbox._app import create_app
from uatcert.sandbox._config import (
    ALLSAFE_PASSWORD,
    ALLSAFE_PREFIX,
    ALLSAFE_USERNAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    V2_X_CLIENT_ID,
    V2_X_CLIENT_SECRET,
    SandboxConfig,
    default_clients,
    default_v2_clients,
)
from uatcert.sandbox._modes import DEFECT_MODES
from uatcert.sandbox._server import BackgroundServer
from uatcert.sandbox.v3.catalogue import SEEDED_CATALOGUE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uatcert sandbox",
        description="Run the embedded UNIQREWARDS v3 sandbox (token endpoint, /v3 API, /__sandbox control API).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 = any free port)")
    parser.add_argument("--catalogue", metavar="FILE", help="catalogue JSON file (default: the seeded one)")
    parser.add_argument("--client-id", help=f"id of the full-scope client (default {DEFAULT_CLIENT_ID})")
    parser.add_argument("--client-secret", help="secret of the full-scope client (default: the sandbox's own)")
    parser.add_argument("--v2-client-secret", help="client_secret of the v2 token client (default: the sandbox's own)")
    parser.add_argument("--v2-x-client-secret", help="X-Client-Secret of the v2 client (default: the sandbox's own)")
    parser.add_argument("--allsafe-password", help=f"password of the AllSafe integration {ALLSAFE_USERNAME}")
    parser.add_argument("--defect", choices=sorted(DEFECT_MODES), help="violate one documented behaviour")
    parser.add_argument("--latency-ms", type=float, default=0.0, metavar="MS",
                        help="delay added to every API request, token requests included (default 0)")
    parser.add_argument("--jitter-ms", type=float, default=0.0, metavar="MS",
                        help="each delay varies uniformly by up to this much either way (default 0)")
    return parser


def _config(args: argparse.Namespace) -> SandboxConfig:
    clients = default_clients()
    if args.client_id or args.client_secret:
        full = clients[0]
        clients[0] = full.model_copy(
            update={
                "client_id": args.client_id or full.client_id,
                "client_secret": args.client_secret or full.client_secret,
            }
        )
    v2_clients = default_v2_clients()
    v2_clients[0] = v2_clients[0].model_copy(update={
        "client_secret": args.v2_client_secret or v2_clients[0].client_secret,
        "x_client_secret": args.v2_x_client_secret or v2_clients[0].x_client_secret,
    })
    passwords = {ALLSAFE_USERNAME: args.allsafe_password} if args.allsafe_password else {}
    try:
        return SandboxConfig.model_validate(
            {"catalogue_path": args.catalogue, "clients": [c.model_dump() for c in clients], "defect": args.defect,
             "v2_clients": [c.model_dump() for c in v2_clients], "allsafe_passwords": passwords,
             "latency_ms": args.latency_ms, "jitter_ms": args.jitter_ms}
        )
    except ValidationError as exc:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        raise ConfigError(f"bad sandbox settings: {problems}") from None


def _shown(given: str | None, default: str) -> str:
    """A credential in the banner: the sandbox's own is printed, one given on the command line is not."""
    return "as configured" if given else default


def _banner(srv: BackgroundServer, cfg: SandboxConfig, args: argparse.Namespace, products: int) -> str:
    prefixes = cfg.scope_prefixes
    lines = [
        "uatcert sandbox: UNIQREWARDS Client API v3 and v2, AllSafe Redemption API (sandbox data only)",
        f"  base URL      {srv.base_url}",
        f"  v3 base URL   {srv.v3_base_url}",
        f"  token URL     {srv.token_url}",
        f"  control URL   {srv.control_url}",
        f"  scope prefix  {prefixes[0]} (also accepted: {', '.join(prefixes[1:]) or 'none'})",
    ]
    for index, client in enumerate(cfg.clients):
        secret = "as configured" if index == 0 and args.client_secret else client.client_secret
        lines.append(f"  client        {client.client_id}  secret: {secret}  scopes: {' '.join(client.scopes)}")
    lines += [
        f"  catalogue     {cfg.catalogue_path or SEEDED_CATALOGUE} ({products} products)",
        f"  v2 base URL   {srv.base_url}/v2  (token {srv.base_url}/v2/connect/token)",
        f"  v2 client     {V2_CLIENT_ID}  secret: {_shown(args.v2_client_secret, V2_CLIENT_SECRET)}",
        f"  v2 X-Client   {V2_X_CLIENT_ID}  secret: {_shown(args.v2_x_client_secret, V2_X_CLIENT_SECRET)}",
        f"  AllSafe URL   {srv.base_url}{ALLSAFE_PREFIX}  Basic {ALLSAFE_USERNAME}:"
        f"{_shown(args.allsafe_password, ALLSAFE_PASSWORD)}",
        "                (other AllSafe integrations for each error case: docs/sandbox.md)",
        f"  defect        {cfg.defect or 'none'}",
        f"  latency       {_latency(cfg)}",
        f"Try: curl -s -u {cfg.clients[0].client_id}:<secret> -d grant_type=client_credentials {srv.token_url}",
        "Press Ctrl-C to stop.",
    ]
    if not args.client_secret:
        lines[-2] = lines[-2].replace("<secret>", DEFAULT_CLIENT_SECRET)
    return "\n".join(lines) + "\n"


def _latency(cfg: SandboxConfig) -> str:
    if not cfg.latency_ms and not cfg.jitter_ms:
        return "none"
    return f"{cfg.latency_ms:g} ms" + (f" ± {cfg.jitter_ms:g} ms" if cfg.jitter_ms else "") + " per API request"


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; 2 with one line on stderr for bad settings or a busy port."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            cfg = _config(args)
            app = create_app(cfg)
            srv = BackgroundServer(app, host=args.host, port=args.port, log_level="info", access_log=True).start()
        except (ConfigError, SandboxError) as exc:
            sys.stderr.write(f"uatcert sandbox: {exc}\n")
            return 2
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        sys.stdout.write(_banner(srv, cfg, args, len(app.state.v3.catalogue.products)))
        sys.stdout.flush()
        try:
            stop.wait()
        finally:
            srv.stop()
        sys.stdout.write("uatcert sandbox: stopped\n")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
