"""Allure history kept between runs (reports/history.jsonl) and the titles naming every API of a run."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.pack.builders import Run
from tests.pack.test_report import HAVE_ALLURE
from uatcert.pack import build_html_report, commit_history, targets_title
from uatcert.pack._render import certificate_title
from uatcert.pack._report import HISTORY_FILE, HISTORY_PENDING, trim_history

V3 = {"api": "UNIQREWARDS Client API v3", "label": "embedded sandbox"}
V2 = {"api": "UNIQREWARDS Client API v2", "label": "embedded sandbox"}
ALLSAFE = {"api": "AllSafe Redemption API", "label": "AllSafe target https://allsafe.example (test integration)"}


def test_titles_name_every_api_grouped_by_target() -> None:
    assert targets_title([V3]) == "UNIQREWARDS Client API v3 on embedded sandbox"
    assert targets_title([V3, V2]) == "UNIQREWARDS Client API v3 and UNIQREWARDS Client API v2 on embedded sandbox"
    assert targets_title([V3, ALLSAFE, V2]) == (
        "UNIQREWARDS Client API v3 and UNIQREWARDS Client API v2 on embedded sandbox; "
        "AllSafe Redemption API on AllSafe target https://allsafe.example (test integration)")
    assert certificate_title({"target": V3, "targets": {"v3": V3, "allsafe": ALLSAFE}}) == targets_title([V3, ALLSAFE])
    assert certificate_title({"target": V3}) == targets_title([V3])  # a certificate from before `targets`


def test_the_history_keeps_the_last_runs(tmp_path: Path) -> None:
    path = tmp_path / HISTORY_FILE
    trim_history(path, keep=3)  # no history yet: nothing to do
    assert not path.exists()
    path.write_text("".join(json.dumps({"run": i}) + "\n" for i in range(5)), encoding="utf-8")
    trim_history(path, keep=3)
    assert [json.loads(line)["run"] for line in path.read_text().splitlines()] == [3, 4]  # + the report being made


def test_the_generator_is_given_the_history_file(make_run: Callable[..., Run], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    run = make_run()
    bin_dir, root = tmp_path / "bin", tmp_path / "root"
    bin_dir.mkdir()
    (root / "node_modules" / "allure").mkdir(parents=True)
    (root / "node_modules" / "allure" / "package.json").write_text("{}", encoding="utf-8")
    argv_file = tmp_path / "argv"
    fake = bin_dir / "npx"  # records its arguments and writes a page where -o points
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {argv_file}\nwhile [ "$1" != "-o" ]; do shift; done\n'
                    'mkdir -p "$2" && echo "<html></html>" > "$2/index.html"\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")  # the fake npx first
    kept = run.reports / HISTORY_FILE
    kept.write_text('{"run": "earlier"}\n', encoding="utf-8")
    assert build_html_report(run.reports, title="t", root=root) == run.reports / "html" / "index.html"
    argv = argv_file.read_text().splitlines()
    pending = run.reports / HISTORY_PENDING
    assert argv[argv.index("--history-path") + 1] == str(pending.resolve())  # a copy of the kept history
    assert pending.read_text(encoding="utf-8") == kept.read_text(encoding="utf-8")
    pending.write_text('{"run": "earlier"}\n{"run": "this one, carrying a caught value"}\n', encoding="utf-8")
    assert commit_history(run.reports, clean=False) is False  # the canary found something: not kept
    assert kept.read_text(encoding="utf-8") == '{"run": "earlier"}\n' and not pending.exists()


@pytest.mark.skipif(not HAVE_ALLURE, reason="needs Node.js and `npm ci` (node_modules/allure) in the checkout")
def test_a_second_report_knows_the_first_run(make_run: Callable[..., Run]) -> None:
    run = make_run()
    summaries = []
    for _ in range(2):
        assert build_html_report(run.reports, title="history") is not None
        assert commit_history(run.reports, clean=True) is True
        summaries.append(json.loads((run.reports / "html" / "summary.json").read_text(encoding="utf-8")))
    history = (run.reports / HISTORY_FILE).read_text(encoding="utf-8").splitlines()
    assert len(history) == 2 and all(json.loads(line)["name"] == "history" for line in history)
    total = summaries[0]["stats"]["total"]
    assert len(summaries[0]["newTests"]) == total > 0  # no history yet: every scenario is new
    assert summaries[1]["newTests"] == []  # the second report compares with the first run
