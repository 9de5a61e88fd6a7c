"""
The `uatcert` command.

    uatcert run [--profile v3] [--defect MODE] [--reports DIR] [--workers N] [--verbose] [-- PYTEST ARGS]
    uatcert init [--api v3|v2|allsafe]... [--file .env]
    uatcert check [--profile v3]...
    uatcert sandbox [--host 127.0.0.1] [--port N] [--catalogue FILE] [--client-id ID] [--client-secret S]
    uatcert proxy [--upstream sandbox|target|URL] [--plan FILE] [--port N] [--record FILE]
    uatcert reconcile [--reports DIR] [--ledger FILE] [--allow-production]

Exit codes: 0 certified, 1 not certified, 2 usage or configuration error, 3 target unusable (unreachable,
TLS, credentials refused, not the API, an empty catalogue). Errors are one clear line on stderr naming the
setting or the cause, never a traceback (docs/bad-input.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from uatcert import __version__
from uatcert.errors import UatCertError


def _dollars(text: str) -> int:
    """A face value in SGD ("250", "250.50") as integer cents."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise argparse.ArgumentTypeError(f"not an amount in dollars and cents: {text!r}")
    return int(value * 100)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="uatcert", description="UAT certification for voucher-issuance APIs")
    parser.add_argument("--version", action="version", version=f"uatcert {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the certification against the configured target or the sandbox")
    run.add_argument("--profile", action="append", dest="profiles", metavar="NAME",
                     help="profile to certify (repeatable): v3, v2, allsafe; default: every configured one, "
                          "else all on the sandbox; the integrator's own system: cut, cut-v2, cut-allsafe "
                          "(only when named)")
    run.add_argument("--defect", metavar="MODE", help="embedded sandbox only: violate one documented behaviour")
    run.add_argument("--reports", metavar="DIR", help="output folder (default: reports)")
    run.add_argument("--allow-production", action="store_true",
                     help="allow a target that looks like production (needs --max-vouchers and --max-face-value)")
    run.add_argument("--max-vouchers", type=int, metavar="N", help="production budget: vouchers")
    run.add_argument("--max-face-value", type=_dollars, metavar="SGD", help="production budget: total face value")
    run.add_argument("--verbose", action="store_true", help="show pytest's own output instead of the progress")
    run.add_argument("--workers", type=int, metavar="N",
                     help="provider calls in flight at once, 1 to 32 (default 1: serial); see docs/performance.md")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: extra pytest arguments (e.g. -k)")

    commands.add_parser("verify", help="check an evidence bundle: intact, honest verdict, no secrets", add_help=False)
    commands.add_parser("report", help="build the single-file HTML report of the last run", add_help=False)
    commands.add_parser("init", help="write a commented .env with every setting of the chosen APIs", add_help=False)
    commands.add_parser("check", help="the pre-flight alone: settings, reachability, credentials, catalogue, plan",
                        add_help=False)
    commands.add_parser("reconcile", help="settle the issuances a killed run left open (same key, never twice)",
                        add_help=False)
    sandbox = commands.add_parser("sandbox", help="serve the embedded sandbox until interrupted", add_help=False)
    sandbox.add_argument("sandbox_args", nargs=argparse.REMAINDER)
    proxy = commands.add_parser("proxy", help="a recording fault proxy in front of the sandbox or UAT",
                                add_help=False)
    proxy.add_argument("proxy_args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["sandbox"]:
        from uatcert.sandbox import main as sandbox_main

        return sandbox_main(args_list[1:])
    if args_list[:1] == ["proxy"]:
        from uatcert.proxy.command import main as proxy_main

        return proxy_main(args_list[1:])
    if args_list[:1] == ["verify"]:
        from uatcert.pack import verify_main

        return verify_main(args_list[1:])
    if args_list[:1] == ["init"]:
        from uatcert.envfile import init_main

        return init_main(args_list[1:])
    if args_list[:1] == ["check"]:
        from uatcert.check import check_main

        return check_main(args_list[1:])
    if args_list[:1] == ["reconcile"]:
        from uatcert.reconcile import reconcile_main

        return reconcile_main(args_list[1:])
    if args_list[:1] == ["report"]:
        from uatcert.pack import report_main

        return report_main(args_list[1:])
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exc:  # argparse already printed the usage error
        return 0 if exc.code == 0 else 2
    try:
        return _run(args)
    except UatCertError as exc:
        print(f"uatcert: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:  # a file or folder the run needs (the preflight names the usual ones first)
        print(f"uatcert: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("uatcert: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    from uatcert.config import get_settings
    from uatcert.preflight import check_reports_dir
    from uatcert.profiles import select

    if args.defect:
        os.environ["UATCERT_SANDBOX__DEFECT"] = args.defect
    if args.reports:
        os.environ["UATCERT_RUN__REPORTS_DIR"] = args.reports
    if args.verbose:
        os.environ["UATCERT_RUN__VERBOSE"] = "true"
    if args.allow_production:
        os.environ["UATCERT_GUARD__ALLOW_PRODUCTION"] = "true"
    if args.max_vouchers is not None:
        os.environ["UATCERT_GUARD__MAX_VOUCHERS"] = str(args.max_vouchers)
    if args.max_face_value is not None:
        os.environ["UATCERT_GUARD__MAX_FACE_VALUE_CENTS"] = str(args.max_face_value)
    if args.workers is not None:
        os.environ["UATCERT_RUN__WORKERS"] = str(args.workers)
    settings = get_settings(warn=lambda text: print(f"uatcert: warning: {text}", file=sys.stderr))
    if settings.sandbox.defect:
        from uatcert.errors import ConfigError
        from uatcert.sandbox import DEFECT_MODES

        if settings.sandbox.defect not in DEFECT_MODES:
            raise ConfigError(f"unknown defect mode {settings.sandbox.defect!r}; known: {', '.join(DEFECT_MODES)}")
    profiles = select(args.profiles, settings)
    check_reports_dir(settings.run.reports_dir)
    for profile in profiles:
        profile.preflight(settings, sys.stdout)
    extra = [a for a in args.pytest_args if a != "--"]
    from uatcert.runner import certify  # after the pre-flight: a refused run never loads pytest

    return certify(profiles, settings, sys.stdout, extra)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
