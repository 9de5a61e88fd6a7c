"""
The Allure side of the evidence: metadata files in `allure-results/` and the single-file HTML report.

The HTML report is made by Allure 3 (npm package `allure`, pinned in the repository's package.json and
package-lock.json) with `allure awesome --single-file`, then the Google Tag Manager snippet that
Allure's templates hard-code is removed, so the page makes no network request at all. Node is
optional: without it (or without `npm ci`) the run still completes and says how to get the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from uatcert.locations import PACKAGED_SUITE, holds_suite, is_installed_copy
from uatcert.pack._certificate import target_fields
from uatcert.pack._render import targets_title
from uatcert.suite.results import RunResults

ALLURE_PACKAGE = "allure"
HTML_DIR = "html"
HISTORY_FILE = "history.jsonl"
"""Allure 3's history (one JSON line per generated report), kept in the reports folder between runs so the
report shows each scenario's previous results and what changed since the last run. Not part of the bundle.
A report is generated with a pending copy (`HISTORY_PENDING`) that `commit_history` keeps only when the run's
secrets canary found nothing: history lines carry the results' messages, and a value the canary caught must not
ride along into later reports."""
HISTORY_PENDING = "history.pending.jsonl"
HISTORY_RUNS = 30
"""Runs the history keeps (the oldest lines are dropped before a report is generated)."""


def how_to_get_html() -> str:
    """One line: how to get the HTML report where the pinned generator is missing (installed tool or checkout)."""
    if holds_suite(PACKAGED_SUITE):
        return f"install Node.js 20+, run `npm ci --prefix {PACKAGED_SUITE}`, then `uatcert report`"
    return "install Node.js 20+, run `npm ci` in the suite's checkout, then `uatcert report`"


HOW_TO_GET_HTML = how_to_get_html()
_ANALYTICS_MARKERS = ("googletagmanager", "gtag(", "dataLayer")
_SCRIPT = re.compile(r"<script\b(?P<attrs>[^>]*)>(?P<body>.*?)</script>\s*", re.S | re.I)

Log = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


# metadata ---------------------------------------------------------------------------------------
CATEGORIES = [
    {
        "name": "API non-conformance (the provider's API did not behave as documented)",
        "description": "A requirement's assertion failed: the finding is about the API under test.",
        "matchedStatuses": ["failed"],
    },
    {
        "name": "Harness or network trouble (not an API finding)",
        "description": "The suite could not complete the scenario: configuration, connectivity, or a tool error.",
        "matchedStatuses": ["broken"],
    },
    {
        "name": "Not applicable or skipped",
        "description": "Skipped scenarios; a skip that is not 'not applicable' blocks certification.",
        "matchedStatuses": ["skipped"],
    },
]


def _property(value: object) -> str:
    """A value escaped for a Java .properties file (ASCII only)."""
    text = str(value if value is not None else "")
    out = []
    for char in text:
        if char in "\\=:#!":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) > 0x7E:
            out.append(f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else "?")
        else:
            out.append(char)
    return "".join(out)


def report_title(targets: Iterable[Mapping[str, Any]]) -> str:
    """The HTML report's name (also the `reportName` of executor.json): every API of the run and its target."""
    return f"UAT certification — {targets_title(targets)}"


def write_allure_metadata(results: RunResults, allure_dir: Path) -> None:
    """Write categories.json, environment.properties and executor.json into `allure_dir`."""
    allure_dir.mkdir(parents=True, exist_ok=True)
    lead = results.lead_api
    target = target_fields(results.target_of(lead))
    catalogue = results.catalogue_of(lead)
    (allure_dir / "categories.json").write_text(json.dumps(CATEGORIES, indent=2) + "\n", encoding="utf-8")
    environment = {
        "target": target["label"],
        "target.base_url": target["base_url"],
        "target.environment": target["environment"],
        "api": target["api"],
        "apis": ", ".join(f"{t.get('api')} on {t.get('label')}" for t in results.targets.values()),
        "api.version": target["api_version"],
        "suite.version": results.suite_version,
        "catalogue.size": catalogue.get("size", ""),
        "catalogue.sha256": catalogue.get("sha256", ""),
        "run.started": results.started,
        "run.finished": results.finished,
    }
    (allure_dir / "environment.properties").write_text(
        "".join(f"{key}={_property(value)}\n" for key, value in environment.items()), encoding="ascii"
    )
    executor = {
        "name": "uatcert",
        "type": "uatcert",
        "buildName": f"uatcert {results.suite_version} run {results.started}",
        "reportName": report_title(results.targets.values()),
    }
    (allure_dir / "executor.json").write_text(json.dumps(executor, indent=2, ensure_ascii=False) + "\n",
                                              encoding="utf-8")


# node and the Allure 3 CLI ------------------------------------------------------------------------
def find_node_root(start: Path | None = None) -> Path | None:
    """The folder whose package.json pins the Allure CLI: the working folder, its parents, the checkout, the
    copy of the suite an installed uatcert carries."""
    here = Path(__file__).resolve()
    candidates = [*(p for s in ([start] if start else []) for p in (s, *s.parents)),
                  Path.cwd(), *Path.cwd().parents, here.parents[3], PACKAGED_SUITE]
    for folder in candidates:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                declared = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(declared, dict) and any(
                ALLURE_PACKAGE in (declared.get(k) or {}) for k in ("devDependencies", "dependencies")
            ):
                return folder
    return None


def _installed(root: Path) -> bool:
    return (root / "node_modules" / ALLURE_PACKAGE / "package.json").is_file()


def ensure_node_modules(root: Path, *, log: Log = _quiet, timeout_s: float = 600) -> bool:
    """Run `npm ci` in `root` when its node_modules lack the Allure CLI and npm exists; True when installed."""
    if _installed(root):
        return True
    npm = shutil.which("npm")
    if npm is None:
        log("npm not found: the HTML report needs Node.js")
        return False
    if not (root / "package-lock.json").is_file():
        log(f"no package-lock.json in {root}")
        return False
    log("installing the pinned Allure report generator (npm ci)…")
    try:
        completed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=root, capture_output=True, text=True,
            timeout=timeout_s, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"npm ci failed: {exc}")
        return False
    if completed.returncode != 0:
        log(f"npm ci failed (exit {completed.returncode}): {_last_line(completed.stderr)}")
        return False
    return _installed(root)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip() and "Unknown user config" not in line]
    return lines[-1] if lines else "(no output)"


def strip_analytics(html: str) -> str:
    """Remove the Google Tag Manager loader and the inline gtag block from an Allure page."""

    def keep(match: re.Match[str]) -> str:
        attrs, body = match.group("attrs"), match.group("body")
        if "googletagmanager" in attrs.lower() or any(m in body for m in _ANALYTICS_MARKERS):
            return ""
        return match.group(0)

    return _SCRIPT.sub(keep, html)


def trim_history(path: Path, keep: int = HISTORY_RUNS) -> None:
    """Keep the last `keep - 1` runs of Allure's history file (the report about to be made adds one)."""
    if not path.is_file():
        return
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if line.strip()]
    if len(lines) >= keep:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text("".join(lines[len(lines) - keep + 1:]), encoding="utf-8")
        tmp.replace(path)


def _pending_history(reports: Path) -> Path:
    """A copy of the kept history (trimmed) for the generator to append this report to."""
    kept, pending = reports / HISTORY_FILE, reports / HISTORY_PENDING
    pending.unlink(missing_ok=True)
    if kept.is_file():
        shutil.copyfile(kept, pending)
        trim_history(pending)
    return pending


def commit_history(reports: Path, *, clean: bool) -> bool:
    """Keep the history the last report added to when the canary found nothing (`clean`), else drop it;
    True when the history grew."""
    pending = reports / HISTORY_PENDING
    if not pending.is_file():
        return False
    if not clean:
        pending.unlink()
        return False
    pending.replace(reports / HISTORY_FILE)
    return True


def build_run_report(reports: Path, results: RunResults, *, log: Log = _quiet) -> Path | None:
    """The run's HTML report, titled after its first API, installing the pinned generator first if needed."""
    root = find_node_root(reports)
    if root is not None and not is_installed_copy(root):  # nothing is installed into the tool's own folder
        ensure_node_modules(root, log=log)
    return build_html_report(reports, title=report_title(results.targets.values()), root=root, log=log)


def build_html_report(
    reports: Path, *, title: str, root: Path | None = None, log: Log = _quiet, timeout_s: float = 300
) -> Path | None:
    """Generate `reports/html/index.html` (single file, offline, no analytics); None when it cannot.

    Never raises for a missing Node.js, missing node_modules or a failing generator: it logs why and
    returns None, and the caller tells the user how to get the page (`HOW_TO_GET_HTML`).
    """
    allure_dir = reports / "allure-results"
    if not allure_dir.is_dir() or not any(allure_dir.glob("*-result.json")):
        log(f"no Allure results in {allure_dir}")
        return None
    npx = shutil.which("npx")
    if npx is None:
        log("npx not found: the HTML report needs Node.js")
        return None
    root = root or find_node_root(reports)
    if root is None or not _installed(root):
        log("the Allure report generator is not installed (npm ci not run)")
        return None
    out = reports / HTML_DIR
    shutil.rmtree(out, ignore_errors=True)
    pending = _pending_history(reports)
    command = [npx, "--offline", ALLURE_PACKAGE, "awesome", "--single-file", "--report-name", title,
               "--group-by", "epic,feature,story", "--report-language", "en",
               "--history-path", str(pending.resolve()),
               "-o", str(out.resolve()), str(allure_dir.resolve())]
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true", "NO_COLOR": "1", "npm_config_update_notifier": "false"}
    try:
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout_s,
                                   check=False, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log(f"allure awesome failed: {exc}")
        shutil.rmtree(out, ignore_errors=True)
        return None
    index = out / "index.html"
    if completed.returncode != 0 or not index.is_file():
        log(f"allure awesome failed (exit {completed.returncode}): {_last_line(completed.stderr or completed.stdout)}")
        shutil.rmtree(out, ignore_errors=True)
        return None
    for page in out.rglob("*.html"):
        page.write_text(strip_analytics(page.read_text(encoding="utf-8")), encoding="utf-8")
    leftovers = [p for p in out.rglob("*") if p.is_file() and b"googletagmanager" in p.read_bytes()]
    if leftovers:
        log(f"analytics could not be removed from {', '.join(p.name for p in leftovers)}; report discarded")
        shutil.rmtree(out, ignore_errors=True)
        return None
    return index
