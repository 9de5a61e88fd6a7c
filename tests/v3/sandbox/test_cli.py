"""The standalone command: `python -m uatcert.sandbox` (= `uatcert sandbox`) and `main()` error paths."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

import uatcert
from uatcert.sandbox import ALLSAFE_USERNAME, DEFAULT_CLIENT_SECRET, READONLY_CLIENT_SECRET, V2_CLIENT_ID, main


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[str], dict[str, str], str]]]:
    """Start the command with --port 0; return the process, its printed URLs and its banner."""
    procs: list[subprocess.Popen[str]] = []
    src = str(Path(uatcert.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))}

    def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str], str]:
        stderr = (tmp_path / f"stderr-{len(procs)}.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "uatcert.sandbox", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=stderr, text=True, env=env,
        )
        stderr.close()
        procs.append(proc)
        banner = _read_banner(proc.stdout)
        urls = dict(re.findall(r"^  (base URL|v3 base URL|token URL|control URL)\s+(\S+)$", banner, re.M))
        return proc, urls, banner

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def _read_banner(stream: IO[str] | None) -> str:
    assert stream is not None
    lines = []
    for line in stream:
        lines.append(line)
        if line.startswith("Press Ctrl-C"):
            break
    return "".join(lines)


def _token(url: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(url, auth=(client_id, secret), data={"grant_type": "client_credentials"})


def test_standalone_serves_prints_urls_and_stops_on_sigint(
    launch: Callable[..., tuple[subprocess.Popen[str], dict[str, str], str]],
) -> None:
    proc, urls, banner = launch()
    assert urls["base URL"].startswith("http://127.0.0.1:")
    assert urls["v3 base URL"] == urls["base URL"] + "/v3"
    assert urls["control URL"] == urls["base URL"] + "/__sandbox"
    assert DEFAULT_CLIENT_SECRET in banner and READONLY_CLIENT_SECRET in banner
    response = _token(urls["token URL"], "uatcert-sandbox", DEFAULT_CLIENT_SECRET)
    assert response.status_code == 200 and response.json()["token_type"] == "Bearer"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert proc.stdout is not None and "stopped" in proc.stdout.read()


def test_standalone_with_own_client_and_defect_stops_on_sigterm(
    launch: Callable[..., tuple[subprocess.Popen[str], dict[str, str], str]],
) -> None:
    proc, urls, banner = launch("--client-id", "my-client", "--client-secret", "my-secret-123",
                                "--v2-client-secret", "v2-own-secret-1", "--v2-x-client-secret", "v2-own-x-2",
                                "--allsafe-password", "als-own-pw-3", "--defect", "key_optional")
    for own in ("my-secret-123", "v2-own-secret-1", "v2-own-x-2", "als-own-pw-3"):
        assert own not in banner
    assert banner.count("secret: as configured") == 3 and f"Basic {ALLSAFE_USERNAME}:as configured" in banner
    root = urls["base URL"]
    assert httpx.get(f"{root}/allsafe/availability", auth=(ALLSAFE_USERNAME, "als-own-pw-3")).status_code == 200
    token = httpx.post(f"{root}/v2/connect/token", data={"grant_type": "client_credentials", "client_id": V2_CLIENT_ID,
                                                           "client_secret": "v2-own-secret-1"})
    assert token.status_code == 200
    assert "defect        key_optional" in banner
    assert _token(urls["token URL"], "my-client", "my-secret-123").status_code == 200
    assert _token(urls["token URL"], "uatcert-sandbox", DEFAULT_CLIENT_SECRET).status_code == 400
    assert _token(urls["token URL"], "uatcert-readonly", READONLY_CLIENT_SECRET).status_code == 200
    proc.terminate()
    assert proc.wait(timeout=10) == 0


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_main_bad_catalogue_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"products": [1,]}')
    assert main(["--port", "0", "--catalogue", str(bad)]) == 2
    assert f"sandbox catalogue {bad}: invalid JSON at line 1" in _one_line_error(capsys)


def test_main_port_in_use_is_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        assert main(["--port", str(port)]) == 2
    assert _one_line_error(capsys) == f"uatcert sandbox: port {port} on 127.0.0.1 is already in use\n"


def test_main_bad_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--defect", "nope"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["--client-id", "has:colon"]) == 2
    assert "client_id cannot contain ':'" in _one_line_error(capsys)


def test_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "--catalogue FILE" in capsys.readouterr().out
