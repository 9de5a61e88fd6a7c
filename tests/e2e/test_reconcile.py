"""
`uatcert reconcile` after a real crash: a `uatcert run` subprocess is SIGKILLed while the sandbox holds one
of its issuances in flight (a `slow_commit` fault), then reconcile replays the open intent with its own key.
The sandbox runs in this test process (it survives the kill), and its own ledger is the judge: one entry per
key, the vouchers the run's ledger records, nothing issued twice, nothing missing. A second reconcile changes
nothing. AllSafe's listing, the target check and the exit codes use crafted ledgers.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ROOT, clean_env
from uatcert import sandbox
from uatcert.evidence import open_intents, read_ledger, read_ledger_file
from uatcert.sandbox import BackgroundServer, SandboxControl

HOLD_S = 40.0
"""How long the sandbox holds the issuance: far longer than the test waits before killing."""
WAIT_S = 90.0


def _target_env(server: BackgroundServer, api: str) -> dict[str, str]:
    root = server.base_url
    if api == "v3":
        return clean_env(
            UATCERT_V3__BASE_URL=f"{root}/v3", UATCERT_V3__TOKEN_URL=f"{root}/oauth2/token",
            UATCERT_V3__CLIENT_ID=sandbox.DEFAULT_CLIENT_ID, UATCERT_V3__CLIENT_SECRET=sandbox.DEFAULT_CLIENT_SECRET,
            UATCERT_V3__READONLY_CLIENT_ID=sandbox.READONLY_CLIENT_ID,
            UATCERT_V3__READONLY_CLIENT_SECRET=sandbox.READONLY_CLIENT_SECRET,
        )
    return clean_env(
        UATCERT_V2__BASE_URL=f"{root}/v2", UATCERT_V2__TOKEN_URL=f"{root}/v2/connect/token",
        UATCERT_V2__CLIENT_ID=sandbox.V2_CLIENT_ID, UATCERT_V2__CLIENT_SECRET=sandbox.V2_CLIENT_SECRET,
        UATCERT_V2__X_CLIENT_ID=sandbox.V2_X_CLIENT_ID, UATCERT_V2__X_CLIENT_SECRET=sandbox.V2_X_CLIENT_SECRET,
        UATCERT_V2__CATALOGUE_FILE=str(sandbox.SEEDED_V2_CATALOGUE),
    )


HELD_PRODUCT = "TPCINEMA12SGD01"
"""A product of both seeded catalogues that the runs issue (with the client) after several others."""
ISSUE_PATHS = {"v3": f"^/v3/products/{HELD_PRODUCT}$", "v2": f"/products/{HELD_PRODUCT}/vouchers/actions/request$"}


def _reconcile(reports: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "uatcert.cli", "reconcile", "--reports", str(reports)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.1)


def _killed_mid_issuance(server: BackgroundServer, control: SandboxControl, api: str, reports: Path) -> str:
    """A real run SIGKILLed (with its pytest process) while the sandbox holds one issuance; its stdout."""
    control.arm_fault("slow_commit", api=api, path=ISSUE_PATHS[api], nth=1, times=500, delay_s=HOLD_S)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uatcert.cli", "run", "--profile", api, "--reports", str(reports)], cwd=ROOT,
        env=_target_env(server, api), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        _until(lambda: any(f["holding"] for f in control.faults()) or proc.poll() is not None,
               "the sandbox holds an issuance of the run")
        assert proc.poll() is None, "the run ended before any issuance was held"
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    control.clear_faults()  # releases the held request: the sandbox commits it, nobody hears the answer
    _until(lambda: not any(f["holding"] for f in control.faults()), "the held request is released")
    return output


def _issued_by_key(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    issued: dict[str, list[str]] = {}
    for record in records:
        if record.get("event") == "outcome" and record.get("outcome") in ("issued", "partial"):
            issued.setdefault(str(record["idempotency_key"]).lower(), [])
            issued[str(record["idempotency_key"]).lower()] = list(record["voucher_ids"])
    return issued


@pytest.mark.parametrize("api", ["v3", "v2"])
def test_a_run_killed_mid_issuance_is_settled_by_reconcile_without_a_second_issuance(
    api: str, start_sandbox: Callable[..., BackgroundServer], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server = start_sandbox()
    control = SandboxControl(server.base_url)
    request.addfinalizer(control.close)
    reports = tmp_path / "reports"
    output = _killed_mid_issuance(server, control, api, reports)
    ledger = reports / "ledger.jsonl"
    before = read_ledger_file(ledger)
    [held] = open_intents(before.records)  # the issuance the kill interrupted
    assert (held.raw, held.api, held.state, held.intent["product_code"]) == (
        False, api, "no outcome recorded", HELD_PRODUCT), output

    first = _reconcile(reports, _target_env(server, api))
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"replayed {api}" in first.stdout and str(held.key) in first.stdout
    assert "0 open" in first.stdout.splitlines()[-2]  # "ledger now: ... 0 open"
    records = read_ledger(ledger)
    assert open_intents(records) == []

    provider = control.ledger(api=api)
    by_key = collections.Counter(str(e["idempotency_key"]) for e in provider)
    assert [k for k, n in by_key.items() if n > 1] == [], "a key issued twice"
    issued = _issued_by_key(records)
    assert {str(e["idempotency_key"]): list(e["voucher_ids"]) for e in provider} == issued  # none missing either way
    assert issued[str(held.key).lower()], "the interrupted issuance has its vouchers in the ledger"
    assert len(issued) > 1, "issuances completed before the kill are part of the comparison"
    assert (reports / "ledger.csv").read_text(encoding="utf-8").count(str(held.key)) == 1

    frozen = ledger.read_bytes()
    second = _reconcile(reports, _target_env(server, api))
    assert second.returncode == 0 and "nothing open" in second.stdout, second.stdout + second.stderr
    assert ledger.read_bytes() == frozen
    assert control.ledger(api=api) == provider
    sys.stdout.write("\n".join([first.stdout, second.stdout, f"sandbox ledger: {len(provider)} entries, "
                                 f"{len(by_key)} keys, each once\n"]))  # the transcript, shown with -s


# crafted ledgers -----------------------------------------------------------------------------------

def _write(path: Path, records: list[dict[str, Any]], tail: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


ALLSAFE_INTENT = {"event": "intent", "api": "allsafe", "idempotency_key": "ref-1", "product_code": "ExampleMart",
                  "quantity": 1, "face_value": 50, "currency": "ZAR", "base_url": "https://allsafe.example",
                  "embedded_sandbox": False, "time": "2026-12-01T10:00:00.000+00:00"}
ALLSAFE_UNKNOWN = {**ALLSAFE_INTENT, "event": "outcome", "outcome": "unknown", "http_status": None,
                   "voucher_ids": [], "request_ids": ["req-9"], "error": "response lost"}
V3_INTENT = {"event": "intent", "api": "v3", "idempotency_key": "k-v3", "product_code": "P1", "quantity": 1,
             "face_value": None, "base_url": "https://uat.example/v3", "token_url": "https://uat.example/token",
             "embedded_sandbox": False, "time": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())}
"""A v3 intent sent just now (young enough to be replayed)."""


def _main(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          **env: str) -> tuple[int, str, str]:
    from uatcert.reconcile import reconcile_main

    for name in [n for n in os.environ if n.startswith("UATCERT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("UATCERT_RUN__REPORTS_DIR", "reports")  # reconcile_main sets it; restored at teardown
    monkeypatch.chdir(argv[1])  # no .env of the checkout
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = reconcile_main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_allsafe_unknown_is_listed_for_manual_reconciliation_never_resent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = _write(tmp_path / "ledger.jsonl", [ALLSAFE_INTENT, ALLSAFE_UNKNOWN], tail='{"event": "att')
    before = ledger.read_bytes()
    for _ in range(2):  # the same listing twice, nothing written
        code, out, _ = _main(["--reports", str(tmp_path)], monkeypatch, capsys)
        assert code == 1
        [line] = [line for line in out.splitlines() if line.strip().startswith("manual")]
        for needed in ("ref-1", "ExampleMart", "50 ZAR", "2026-12-01T10:00:00", "req-9", "never resent",
                       "https://allsafe.example"):
            assert needed in line, (needed, line)
        assert "unreadable line(s) skipped (line 3" in out  # the torn last line: reported, not fatal
        assert out.splitlines()[-1] == "reconcile: 1 open intent(s): 0 settled by replay (0 voucher(s)), " \
                                       "1 for manual reconciliation"
        assert ledger.read_bytes() == before


def test_usage_errors_exit_2_and_an_unreachable_target_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and "no ledger" in err and len(err.splitlines()) == 1
    _write(tmp_path / "ledger.jsonl", [V3_INTENT])
    code, _, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys)
    assert code == 2 and "no v3 target is configured" in err
    other = {"UATCERT_V3__BASE_URL": "https://other.example/v3", "UATCERT_V3__TOKEN_URL": "https://other.example/t",
             "UATCERT_V3__CLIENT_ID": "c", "UATCERT_V3__CLIENT_SECRET": "s"}
    code, _, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys, **other)
    assert code == 2 and "went to https://uat.example/v3" in err and "other.example" in err
    closed = "http://127.0.0.1:9"  # discard port: nothing listens
    _write(tmp_path / "ledger.jsonl", [{**V3_INTENT, "base_url": f"{closed}/v3", "token_url": f"{closed}/token"}])
    code, _, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys, UATCERT_V3__BASE_URL=f"{closed}/v3",
                         UATCERT_V3__TOKEN_URL=f"{closed}/token", UATCERT_V3__CLIENT_ID="c",
                         UATCERT_V3__CLIENT_SECRET="s", UATCERT_RETRY__MAX_ATTEMPTS="1")
    assert code == 3 and "k-v3" in err and len(err.splitlines()) == 1
    assert open_intents(read_ledger(tmp_path / "ledger.jsonl")), "nothing settled when the target is unreachable"


def test_embedded_sandbox_intents_are_settled_void_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "ledger.jsonl", [{**V3_INTENT, "embedded_sandbox": True},
                                       {**ALLSAFE_INTENT, "embedded_sandbox": True}, ALLSAFE_UNKNOWN | {
                                           "embedded_sandbox": True}])
    code, out, _ = _main(["--reports", str(tmp_path)], monkeypatch, capsys)
    assert code == 0, out
    voids = [line for line in out.splitlines() if line.strip().startswith("void")]
    assert len(voids) == 2 and all("embedded sandbox" in line for line in voids)
    records = read_ledger(tmp_path / "ledger.jsonl")
    assert [r["outcome"] for r in records if r.get("reconciliation")] == ["void", "void"]
    code, out, _ = _main(["--reports", str(tmp_path)], monkeypatch, capsys)
    assert code == 0 and "nothing open" in out


def test_only_a_refusal_that_proves_nothing_was_issued_settles_and_keys_stay_with_their_client(
    start_sandbox: Callable[..., BackgroundServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    from uatcert.evidence import client_fingerprint
    from uatcert.v3 import V3Client

    server = start_sandbox()
    env = {k: v for k, v in _target_env(server, "v3").items() if k.startswith("UATCERT_V3__")}
    target = {"base_url": f"{server.base_url}/v3", "token_url": f"{server.base_url}/oauth2/token",
              "client": client_fingerprint(sandbox.DEFAULT_CLIENT_ID)}
    now = V3_INTENT["time"]
    reused = "6f1c0b1e-0d6a-4b8e-9d0c-3f5a2e7b9c41"
    with V3Client(target["base_url"], target["token_url"], sandbox.DEFAULT_CLIENT_ID,
                  sandbox.DEFAULT_CLIENT_SECRET) as client:
        client.issue(HELD_PRODUCT, 2, idempotency_key=reused)  # the key has a record: for 2 vouchers
    intents = [
        {**V3_INTENT, **target, "idempotency_key": reused, "product_code": HELD_PRODUCT, "time": now},  # -> 422
        {**V3_INTENT, **target, "idempotency_key": "0d9e8f7a-6b5c-4d3e-8f1a-2b3c4d5e6f70",
         "product_code": "NOSUCHPRODUCT01", "time": now},  # -> 404: nothing was issued under that key
        {**V3_INTENT, **target, "idempotency_key": "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d",
         "product_code": HELD_PRODUCT, "time": "2026-01-01T00:00:00+00:00"},  # too old to replay
    ]
    ledger = _write(tmp_path / "ledger.jsonl", intents)
    code, out, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys, **env)
    assert code == 1, out + err
    lines = {line.split()[2]: line for line in out.splitlines() if line.startswith("  ")}
    assert lines[reused].split()[0] == "open" and "422" in lines[reused]
    assert lines[intents[1]["idempotency_key"]].split()[0] == "refused"
    assert lines[intents[2]["idempotency_key"]].split()[0] == "manual" and "older than 24 h" in out
    still_open = sorted(str(o.key) for o in open_intents(read_ledger(ledger)))
    assert still_open == sorted([reused, intents[2]["idempotency_key"]])
    with contextlib.closing(SandboxControl(server.base_url)) as control:
        assert len(control.ledger(idempotency_key=reused)) == 1  # never a second issuance

    other_client = {**env, "UATCERT_V3__CLIENT_ID": sandbox.READONLY_CLIENT_ID,
                    "UATCERT_V3__CLIENT_SECRET": sandbox.READONLY_CLIENT_SECRET}
    code, _, err = _main(["--reports", str(tmp_path)], monkeypatch, capsys, **other_client)
    assert code == 2 and "sent by another client than the configured UATCERT_V3__CLIENT_ID" in err
