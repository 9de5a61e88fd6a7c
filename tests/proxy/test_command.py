"""`uatcert proxy` as a subprocess: it prints its URLs and the sandbox's credentials, forwards, loses the answer
its plan says, stops cleanly on Ctrl-C (SIGINT), and its recording is redacted."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

PLAN = '[[fault]]\nkind = "lose_response"\napi = "v3"\noperation = "issue"\n'


def test_standalone_proxy_by_hand(tmp_path: Path) -> None:
    plan, record = tmp_path / "plan.toml", tmp_path / "out" / "record.jsonl"
    plan.write_text(PLAN, encoding="utf-8")
    command = [sys.executable, "-c", "import sys; from uatcert.cli import main; sys.exit(main())",
               "proxy", "--plan", str(plan), "--port", "0", "--record", str(record)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = []
        assert process.stdout is not None
        while not banner or banner[-1] != "Press Ctrl-C to stop.":
            line = process.stdout.readline()
            assert line, f"the proxy ended: {process.stderr.read() if process.stderr else ''}"
            banner.append(line.rstrip("\n"))
        text = "\n".join(banner)
        urls = re.search(r"v3\s+base URL\s+(\S+/v3)\s+token URL\s+(\S+/token/v3)", text)
        assert urls, text
        assert re.search(r"v2\s+base URL\s+\S+/v2\s+token URL\s+\S+/token/v2", text)
        assert re.search(r"AllSafe\s+base URL\s+\S+/allsafe$", text, re.M)
        assert f"{DEFAULT_CLIENT_ID}  secret: {DEFAULT_CLIENT_SECRET}" in text
        assert "1. lose_response on v3 any operation" not in text and "1. lose_response on v3 issue, request 1" in text
        base, token_url = urls.groups()
        with httpx.Client(timeout=10) as client:
            token = client.post(token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                                data={"grant_type": "client_credentials"}).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
            with pytest.raises(httpx.RemoteProtocolError):
                client.post(f"{base}/products/MAMVDDMMYY01", headers=headers, json={"quantity": 1})
            replay = client.post(f"{base}/products/MAMVDDMMYY01", headers=headers, json={"quantity": 1})
        assert replay.status_code == 200 and "idempotency-record" in replay.headers
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert err == ""
    assert "#2 v3 issue POST /v3/products/MAMVDDMMYY01: upstream 200, system got NOTHING  [lose_response]" in out
    assert f"stopped after 3 exchanges; recording in {record}" in out
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert [(d["seq"], d["operation"], d["fault"]) for d in lines] == [
        (1, "token", None), (2, "issue", "lose_response"), (3, "issue", None)]
    assert lines[1]["exchange"]["outcome"] == "lost_response" and lines[1]["delivered"]["status"] is None
    assert lines[1]["exchange"]["response"]["status"] == 200
    raw = record.read_text(encoding="utf-8")
    voucher = replay.json()["data"][0]
    basic = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()
    for secret in (DEFAULT_CLIENT_SECRET, basic, token, voucher["voucher_code"], voucher["url"]):
        assert secret not in raw
    redacted = lines[2]["exchange"]["response"]["body"]["data"][0]
    assert redacted["voucher_code"] == "…" + voucher["voucher_code"][-4:] and redacted["short_url_pin"] == "***"
