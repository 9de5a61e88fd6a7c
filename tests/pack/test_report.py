"""Allure metadata and the single-file, offline HTML report (Allure 3 through npx)."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pack.builders import Run, default_specs, with_outcome
from uatcert.pack import (
    build_html_report,
    ensure_node_modules,
    find_node_root,
    report_main,
    scan_for_secrets,
    strip_analytics,
    verify_bundle,
    write_allure_metadata,
)

NODE_ROOT = find_node_root(Path(__file__).parent)
HAVE_ALLURE = bool(
    shutil.which("npx") and NODE_ROOT is not None and (NODE_ROOT / "node_modules" / "allure" / "package.json").is_file()
)


def test_allure_metadata(make_run: Callable[..., Run]) -> None:
    run = make_run()
    allure = run.reports / "allure-results"
    run.results.targets["v3"]["base_url"] = "https://user:pw@uat.example.test/v3?key=1"
    write_allure_metadata(run.results, allure)

    categories = json.loads((allure / "categories.json").read_text(encoding="utf-8"))
    assert [c["matchedStatuses"] for c in categories] == [["failed"], ["broken"], ["skipped"]]
    assert categories[0]["name"].startswith("API non-conformance")
    assert categories[1]["name"].startswith("Harness or network trouble")
    properties = (allure / "environment.properties").read_text(encoding="ascii").splitlines()
    assert "target.base_url=https\\://uat.example.test/v3" in properties
    assert "api.version=v3" in properties and "suite.version=0.1.0" in properties
    assert "catalogue.size=3" in properties and f"catalogue.sha256={'ab' * 32}" in properties
    executor = json.loads((allure / "executor.json").read_text(encoding="utf-8"))
    assert executor["name"] == "uatcert" and executor["buildName"] == "uatcert 0.1.0 run 2026-11-21T10:00:00+00:00"


def test_strip_analytics_removes_both_scripts_and_keeps_the_app() -> None:
    page = (
        '<head><script defer src="data:text/javascript;base64,QUJD"></script>\n'
        '    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>\n'
        "    <script>\n        window.dataLayer = window.dataLayer || [];\n"
        "        function gtag(){dataLayer.push(arguments);}\n        gtag('js', new Date());\n"
        "        gtag('config', 'G-X', {\n          \"report\": \"awesome\"\n        });\n    </script>\n"
        "<script>window.allureReportOptions = {}</script></head>"
    )
    stripped = strip_analytics(page)
    assert "googletagmanager" not in stripped and "gtag" not in stripped and "dataLayer" not in stripped
    assert 'src="data:text/javascript;base64,QUJD"' in stripped and "allureReportOptions" in stripped


def test_no_npx_means_no_html_report_and_no_failure(make_run: Callable[..., Run], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run()
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    reasons: list[str] = []
    assert build_html_report(run.reports, title="t", log=reasons.append) is None
    assert reasons == ["npx not found: the HTML report needs Node.js"]
    assert not (run.reports / "html").exists()


def test_ensure_node_modules_without_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "package.json").write_text('{"devDependencies": {"allure": "3.18.0"}}', encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path))
    reasons: list[str] = []
    assert ensure_node_modules(tmp_path, log=reasons.append) is False
    assert reasons == ["npm not found: the HTML report needs Node.js"]


def test_no_results_means_no_html_report(tmp_path: Path) -> None:
    assert build_html_report(tmp_path, title="t") is None


def test_without_node_modules_there_is_no_html_report(make_run: Callable[..., Run], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "npx"
    fake.write_text("#!/bin/sh\nexit 99\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    bare = tmp_path / "bare"
    bare.mkdir()
    reasons: list[str] = []
    assert build_html_report(run.reports, title="t", root=bare, log=reasons.append) is None
    assert reasons == ["the Allure report generator is not installed (npm ci not run)"]


def test_a_failing_generator_leaves_no_partial_report(make_run: Callable[..., Run], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run()
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "npx"
    fake.write_text("#!/bin/sh\necho 'boom: cannot render' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    root = tmp_path / "root"
    (root / "node_modules" / "allure").mkdir(parents=True)
    (root / "node_modules" / "allure" / "package.json").write_text("{}", encoding="utf-8")
    (run.reports / "html").mkdir()
    (run.reports / "html" / "index.html").write_text("stale", encoding="utf-8")
    reasons: list[str] = []
    assert build_html_report(run.reports, title="t", root=root, log=reasons.append) is None
    assert reasons == ["allure awesome failed (exit 3): boom: cannot render"]
    assert not (run.reports / "html").exists()


def test_report_command_on_a_folder_without_a_run(tmp_path: Path) -> None:
    err = io.StringIO()
    assert report_main(["--reports", str(tmp_path)], out=io.StringIO(), err=err) == 2
    assert "no readable run.json" in err.getvalue()


@pytest.mark.skipif(not HAVE_ALLURE, reason="needs Node.js and `npm ci` (node_modules/allure) in the checkout")
def test_a_real_single_file_report_without_analytics_in_a_verified_bundle(make_run: Callable[..., Run]) -> None:
    specs = with_outcome(default_specs(), "every_voucher_issued_in_the_run_is_retrieved_on_its_own", "failed",
                         "STS: expected 200, got 500")
    run = make_run(specs)
    bundle = run.certify()
    assert bundle is not None
    out, err = io.StringIO(), io.StringIO()
    assert report_main(["--reports", str(run.reports)], out=out, err=err) == 0, err.getvalue()

    index = run.reports / "html" / "index.html"
    assert f"HTML report: {index}" in out.getvalue() and f"Evidence bundle: {bundle}" in out.getvalue()
    page = index.read_text(encoding="utf-8")
    assert "googletagmanager" not in page and "gtag(" not in page
    assert "UAT certification — UNIQREWARDS Client API v3 on UAT" in page
    assert [p.name for p in index.parent.glob("*.html")] == ["index.html"]
    assert scan_for_secrets(run.reports, ["uatcert-client-secret-value"]) == []
    report = verify_bundle(bundle)  # the pattern scan raises no false alarm on the real page either
    assert report.ok, report.render()
    manifest = json.loads((run.reports / "manifest.json").read_text(encoding="utf-8"))
    assert "html/index.html" in [entry["path"] for entry in manifest["files"]]
