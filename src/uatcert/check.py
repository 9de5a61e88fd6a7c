"""
`uatcert check [--profile NAME]…`: the pre-flight of `uatcert run` alone, issuing nothing.

It reads the settings, runs each selected profile's pre-flight exactly as a run does (production guard,
reachability, credentials, the plan of a configured target), then resolves each API's target as the run
would (the embedded sandbox when none is configured) and shows it: where it is, its catalogue summarised
by product kind, and the plan of how many vouchers and how much face value a run will issue. Exit codes
are those of `uatcert run`: 0 ready, 1 not ready (an expected product is missing from the catalogue, so the
run cannot certify), 2 usage or configuration error, 3 unreachable or authentication impossible.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from uatcert.config import RunSettings, get_settings
from uatcert.errors import UatCertError
from uatcert.pack import mask_client_id, targets_title
from uatcert.profiles import PROFILES, Profile, select
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings import WINGS

EXIT_READY, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2
SANDBOX_PLAN_NOTE = "on a real target with this catalogue; the sandbox also runs its control-API scenarios"


def kinds_text(products: Sequence[Mapping[str, Any]]) -> str:
    """`4 × value based, fixed value · 3 × product based`: how many products of each kind, most first."""
    counts = collections.Counter(str(p.get("kind") or "kind not stated") for p in products)
    if len(counts) == len(products) > 1:  # every one of its own kind (AllSafe's voucher types): name them
        return " · ".join(f"{p.get('code')} ({p.get('kind')})" for p in products)
    return " · ".join(f"{count} × {kind}" for kind, count in counts.most_common())


def describe_api(profile: Profile, runtime: SuiteRuntime, out: TextIO) -> dict[str, Any]:
    """Resolve one API's target as the run would and print what it is, its catalogue and its plan."""
    wing = WINGS[profile.name]
    target, catalogue = wing.describe(runtime)
    base_url = target.get("base_url") or ""
    out.write(f"\n{profile.name}: {target.get('api')} on {target.get('label')} — {base_url}\n")
    client = mask_client_id(target.get("client_id"))
    if target.get("sandbox"):
        out.write(f"  no {profile.name} target is configured: `uatcert run` certifies against the embedded sandbox "
                  f"(started for this check, stopped after it), with its own client {client}\n")
    else:
        out.write(f"  reachable; credentials accepted (client {client})\n")
    if catalogue is None:
        error = target.get("availability_error") or "no catalogue"
        out.write(f"  catalogue: not read ({error})\n")
    else:
        products = catalogue.get("products") or []
        source = f" ({catalogue['source']})" if catalogue.get("source") else ""
        out.write(f"  catalogue{source}: {catalogue.get('size', len(products))} products: {kinds_text(products)}\n")
        if catalogue.get("missing"):
            out.write(f"  expected but not in the catalogue: {', '.join(map(str, catalogue['missing']))} "
                      "(the run cannot certify until the catalogue lists them)\n")
    if wing.plan is not None:
        note = f" ({SANDBOX_PLAN_NOTE})" if target.get("sandbox") else ""
        out.write(f"  plan: {wing.plan(runtime)}{note}\n")
    return {**target, "missing_expected": bool(catalogue and catalogue.get("missing"))}


def check(names: list[str] | None, out: TextIO) -> int:
    """The pre-flight of the selected profiles; raises UatCertError (with its exit code) when not ready."""
    settings = get_settings()
    profiles = select(names, settings)
    out.write(f"uatcert check: {', '.join(p.name for p in profiles)}; the pre-flight of `uatcert run`, "
              "nothing is issued\nsettings: valid\n")
    for profile in profiles:
        profile.preflight(settings, out)
    with tempfile.TemporaryDirectory(prefix="uatcert-check-") as scratch:
        # The clients write their ledger to a folder of the check's own, so nothing lands in the reports and
        # the ledger proves that nothing was issued.
        ledger = Path(scratch) / "ledger.jsonl"
        runtime = SuiteRuntime(settings.model_copy(update={"run": RunSettings(reports_dir=Path(scratch))}))
        try:
            targets = [(profile.name, describe_api(profile, runtime, out)) for profile in profiles]
        finally:
            runtime.close()
        attempts = ledger.read_text(encoding="utf-8").splitlines() if ledger.exists() else []
    if attempts:
        raise UatCertError(f"the check recorded {len(attempts)} issuance attempt(s); report this as a uatcert bug")
    out.write("\nissued: nothing\n")
    lacking = [name for name, target in targets if target.get("missing_expected")]
    if lacking:
        out.write(f"not ready: the catalogue of {', '.join(lacking)} lacks expected products\n")
        return EXIT_NOT_READY
    out.write(f"ready: `uatcert run` would certify {targets_title(t for _, t in targets)}\n")
    return EXIT_READY


def check_main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(prog="uatcert check",
                                     description="The pre-flight of `uatcert run` alone; nothing is issued.")
    parser.add_argument("--profile", action="append", dest="profiles", metavar="NAME",
                        help=f"profile to check (repeatable): {', '.join(PROFILES)}; default: as for run")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return EXIT_READY if exc.code == 0 else EXIT_USAGE
    try:
        return check(args.profiles, out)
    except UatCertError as exc:
        out.flush()
        err.write(f"uatcert: {exc}\n")
        return exc.exit_code
