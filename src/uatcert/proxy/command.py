"""`uatcert proxy`: the fault proxy standalone, for exercising an integrator's system by hand.

    uatcert proxy [--upstream sandbox|target|URL] [--plan FILE] [--port N] [--record FILE]

`sandbox` (the default) starts the embedded sandbox and prints its seeded credentials; `target` forwards to the
configured targets (`UATCERT_V3__BASE_URL`, `UATCERT_V3__TOKEN_URL`, `UATCERT_V2__...`, `UATCERT_ALLSAFE__BASE_URL`);
a URL is the root of a server in the sandbox's layout (a `uatcert sandbox` running elsewhere). It prints each API's
base and token URL through the proxy and a line per exchange, writes the redacted recording as JSON lines, and
stops cleanly on Ctrl-C or SIGTERM. Exit 0 after a clean stop, 2 with one line for bad usage or settings.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from uatcert.config import Settings, get_settings
from uatcert.errors import ConfigError, UatCertError
from uatcert.evidence import Redactor
from uatcert.guard import looks_like_production
from uatcert.proxy._plan import FaultPlan
from uatcert.proxy._proxy import FaultProxy
from uatcert.proxy._record import ProxyRecord
from uatcert.proxy._routes import Upstreams
from uatcert.proxy.recording import RecordWriter, record_line

_NAMES = {"v3": "v3", "v2": "v2", "allsafe": "AllSafe"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="uatcert proxy",
        description="A recording fault proxy on 127.0.0.1 for your system's API base URL (and token URL).",
    )
    parser.add_argument("--upstream", default="sandbox", metavar="sandbox|target|URL",
                        help="sandbox: the embedded sandbox (default); target: the configured targets "
                             "(UATCERT_V3__BASE_URL, ...); URL: the root of a server in the sandbox's layout")
    parser.add_argument("--plan", type=Path, metavar="FILE", help="fault plan (TOML, docs/proxy.md); default: none")
    parser.add_argument("--port", type=int, default=8780, help="port on 127.0.0.1 (default 8780; 0 = any free port)")
    parser.add_argument("--record", type=Path, default=Path("reports/proxy-record.jsonl"), metavar="FILE",
                        help="the redacted recording, one JSON line per exchange (default reports/proxy-record.jsonl)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; 2 with one line on stderr for bad usage or settings."""
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
        return _serve(args, stop)
    except UatCertError as exc:
        sys.stderr.write(f"uatcert proxy: {exc}\n")
        return exc.exit_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace, stop: threading.Event) -> int:
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be from 0 to 65535, got {args.port}")
    plan = FaultPlan.load(args.plan) if args.plan is not None else FaultPlan()
    with ExitStack() as stack:
        upstreams, described, credentials, secrets = _upstreams(args.upstream, stack)
        writer = stack.enter_context(RecordWriter(args.record, Redactor(secrets)))

        def _print(record: ProxyRecord) -> None:
            sys.stdout.write(f"  {record_line(record)}\n")
            sys.stdout.flush()

        proxy = stack.enter_context(FaultProxy(upstreams, plan, port=args.port, observers=[writer, _print]))
        sys.stdout.write(_banner(proxy, described, credentials, plan, args))
        sys.stdout.flush()
        stop.wait()
    count = f"{writer.written} exchange{'' if writer.written == 1 else 's'}"
    sys.stdout.write(f"uatcert proxy: stopped after {count}; recording in {args.record}\n")
    return 0


def _upstreams(choice: str, stack: ExitStack) -> tuple[Upstreams, str, list[str], list[str]]:
    """The upstreams, how to name them, credential lines to print, and the secrets to redact."""
    if choice == "sandbox":
        from uatcert import sandbox as sb

        server = stack.enter_context(sb.BackgroundServer(sb.create_app(sb.SandboxConfig())))
        credentials = [
            f"v3 client       {sb.DEFAULT_CLIENT_ID}  secret: {sb.DEFAULT_CLIENT_SECRET} (HTTP Basic on the token URL)",
            f"v2 client       {sb.V2_CLIENT_ID}  secret: {sb.V2_CLIENT_SECRET}",
            f"v2 X-Client     {sb.V2_X_CLIENT_ID}  secret: {sb.V2_X_CLIENT_SECRET}",
            f"AllSafe         Basic {sb.ALLSAFE_USERNAME}:{sb.ALLSAFE_PASSWORD}",
            f"sandbox control {server.control_url} (ledger: {server.control_url}/ledger?api=v3)",
        ]
        return (Upstreams.of_sandbox(server.base_url), f"the embedded sandbox at {server.base_url}", credentials,
                list(sb.SANDBOX_SECRETS))
    if choice != "target" and not choice.startswith(("http://", "https://")):
        raise ConfigError(f"--upstream must be 'sandbox', 'target' or an http(s) URL, got {choice!r}")
    settings = get_settings()
    if choice == "target":
        return _configured(settings), "the configured targets", [], settings.secret_values()
    upstreams = Upstreams.of_sandbox(choice)
    _refuse_production(upstreams, {}, settings)
    return upstreams, f"{choice} (the sandbox's layout)", [], settings.secret_values()


def _configured(settings: Settings) -> Upstreams:
    v3, v2, allsafe = settings.v3, settings.v2, settings.allsafe
    upstreams = Upstreams(
        v3_base_url=v3.base_url if v3.configured else None, v3_token_url=v3.token_url if v3.configured else None,
        v2_base_url=v2.base_url if v2.configured else None, v2_token_url=v2.token_url if v2.configured else None,
        allsafe_base_url=allsafe.base_url if allsafe.configured else None,
    )
    if not upstreams.apis:
        raise ConfigError("--upstream target: no target is configured (set UATCERT_V3__BASE_URL and "
                          "UATCERT_V3__TOKEN_URL, UATCERT_V2__..., or UATCERT_ALLSAFE__BASE_URL)")
    environments = {"v3": v3.environment, "v2": v2.environment, "allsafe": allsafe.environment}
    _refuse_production(upstreams, environments, settings)
    return upstreams


def _refuse_production(upstreams: Upstreams, environments: dict[str, str | None], settings: Settings) -> None:
    """The proxy forwards whatever the system sends and has no budget: never in front of production."""
    for api in upstreams.apis:
        for url in (upstreams.base_of(api), upstreams.token_of(api)):
            if url and looks_like_production(url, environments.get(api), settings.guard.production_host_patterns):
                raise ConfigError(f"the {_NAMES[api]} upstream {url} looks like production: the proxy forwards "
                                  "whatever your system sends, with no budget; point it at UAT")


def _banner(proxy: FaultProxy, described: str, credentials: list[str], plan: FaultPlan,
            args: argparse.Namespace) -> str:
    lines = [f"uatcert proxy on {proxy.root_url}, forwarding to {described}"]
    for api in proxy.upstreams.apis:
        urls = proxy.urls(api)
        token = f"   token URL {urls.token_url}" if urls.token_url else ""
        lines.append(f"  {_NAMES[api]:<8} base URL  {urls.base_url}{token}")
        upstream_token = proxy.upstreams.token_of(api)
        lines.append(f"           -> {proxy.upstreams.base_of(api)}" + (f"   (token {upstream_token})"
                                                                        if upstream_token else ""))
    lines += [f"  {line}" for line in credentials]
    source = f" ({args.plan})" if args.plan is not None else ""
    lines.append(f"  fault plan{source}:")
    lines += [f"    {index}. {text}" for index, text in enumerate(plan.describe(), 1)]
    lines.append(f"  recording     {args.record} (redacted, one JSON line per exchange)")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines) + "\n"
