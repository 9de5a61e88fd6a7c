"""
Bad configuration and bad targets: each case runs the real `uatcert run` in a subprocess and must print
exactly its one line (or lines) on stderr, nothing on stdout, no traceback, and exit with the documented
code (2 usage or configuration, 3 target unusable). The table below is also the table of
`docs/bad-input.md` (`render_doc()`; a test checks the page matches; regenerate it with
`.venv/bin/python -m tests.e2e.test_bad_input > docs/bad-input.md`).

The targets are servers on 127.0.0.1, shared by every case: a closed port, a port that never answers,
a plain-HTTP page server
(also the https:// port that fails its TLS handshake), the session sandbox (wrong credentials) and a
sandbox started with an empty v3 catalogue. No case gets as far as pytest.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.e2e.conftest import ROOT, clean_env
from uatcert.sandbox import (
    ALLSAFE_USERNAME,
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    V2_CLIENT_ID,
    V2_CLIENT_SECRET,
    BackgroundServer,
    SandboxConfig,
    create_app,
)

V2_FILE = ROOT / "src" / "uatcert" / "sandbox" / "data" / "v2_catalogue.csv"
DOC = ROOT / "docs" / "bad-input.md"
SHOWN = {
    "closed": "127.0.0.1:<closed-port>", "silent": "127.0.0.1:<silent-port>",
    "html": "127.0.0.1:<html-port>", "sandbox": "127.0.0.1:<sandbox-port>",
    "empty": "127.0.0.1:<empty-sandbox-port>", "tmp": "<tmp>", "v2file": "<v2-catalogue.csv>",
}
"""How the doc shows the parts of a message that change from run to run."""


def v3(at: str, secret: str = "s3cret-value", client: str = "client-1") -> dict[str, str]:
    """A complete v3 target at `{at}` (a placeholder of SHOWN)."""
    return {"UATCERT_V3__BASE_URL": f"http://{{{at}}}/v3", "UATCERT_V3__TOKEN_URL": f"http://{{{at}}}/oauth2/token",
            "UATCERT_V3__CLIENT_ID": client, "UATCERT_V3__CLIENT_SECRET": secret}


def v2(at: str, secret: str = V2_CLIENT_SECRET, x_secret: str = "x-secret-value") -> dict[str, str]:
    return {"UATCERT_V2__BASE_URL": f"http://{{{at}}}/v2", "UATCERT_V2__TOKEN_URL": f"http://{{{at}}}/v2/connect/token",
            "UATCERT_V2__CLIENT_ID": V2_CLIENT_ID, "UATCERT_V2__CLIENT_SECRET": secret,
            "UATCERT_V2__X_CLIENT_ID": "0" * 32, "UATCERT_V2__X_CLIENT_SECRET": x_secret,
            "UATCERT_V2__CATALOGUE_FILE": "{v2file}"}


def allsafe(base: str, password: str = "allsafe-wrong-pw") -> dict[str, str]:
    return {"UATCERT_ALLSAFE__BASE_URL": base, "UATCERT_ALLSAFE__USERNAME": ALLSAFE_USERNAME,
            "UATCERT_ALLSAFE__PASSWORD": password}


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    what: str
    """The bad input, in words (the doc's first column)."""
    env: dict[str, str]
    lines: tuple[str, ...]
    """stderr, exactly, line by line (placeholders of SHOWN in braces)."""
    code: int
    names: str
    """What the message must name: the setting or the cause."""
    args: tuple[str, ...] = ()
    dotenv: bytes | None = None
    """Contents of a `.env` file in the working folder."""


V3_MISSING = "uatcert: the v3 target is partly configured; also set UATCERT_V3__CLIENT_SECRET"
TYPO = "UATCERT_V3__CLIENT_SECERT is not a setting and is ignored: did you mean UATCERT_V3__CLIENT_SECRET?"
V3_NO_SECRET = {k: v for k, v in v3("closed").items() if k != "UATCERT_V3__CLIENT_SECRET"}
ALLSAFE_401 = (
    "GET /allsafe/availability -> 401 Unauthorized: authentication failed: wrong username or password. Cause: wrong "
    "username or password, the integration's permission revoked, or the campaign not live (or outside its start and "
    "end dates). Action: check the credentials, the integration's status (Revoked?) and the campaign's status and "
    "dates in the AllSafe portal."
)
CASES = (
    # -- settings (exit 2) ----------------------------------------------------------------------------------------
    Case("missing-setting", "a v3 target without its client secret", V3_NO_SECRET, (V3_MISSING,), 2,
         "UATCERT_V3__CLIENT_SECRET"),
    Case("missing-allsafe-password", "an AllSafe target without its password",
         {"UATCERT_ALLSAFE__BASE_URL": "https://allsafe.uat.example", "UATCERT_ALLSAFE__USERNAME": "integration-1"},
         ("uatcert: the AllSafe target is partly configured; also set UATCERT_ALLSAFE__PASSWORD",), 2,
         "UATCERT_ALLSAFE__PASSWORD"),
    Case("timeout-not-a-number", "a timeout that is not a number", {"UATCERT_V3__TIMEOUT_S": "soon"},
         ("uatcert: invalid settings: UATCERT_V3__TIMEOUT_S: Input should be a valid number, unable to parse string "
          "as a number (got 'soon')",), 2, "UATCERT_V3__TIMEOUT_S"),
    Case("timeout-out-of-range", "a timeout of zero", {"UATCERT_V2__TIMEOUT_S": "0"},
         ("uatcert: invalid settings: UATCERT_V2__TIMEOUT_S: Input should be greater than 0 (got '0')",), 2,
         "UATCERT_V2__TIMEOUT_S"),
    Case("base-url-not-http", "a base URL that is not http(s)",
         {**v3("closed"), "UATCERT_V3__BASE_URL": "ftp://api.uat.example/v3"},
         ("uatcert: invalid settings: UATCERT_V3__BASE_URL: must be an http:// or https:// URL with a host "
          "(got 'ftp://api.uat.example/v3')",), 2, "UATCERT_V3__BASE_URL"),
    Case("token-url-no-scheme", "a token URL without its scheme",
         {**v3("closed"), "UATCERT_V3__TOKEN_URL": "auth.uat.example/oauth2/token"},
         ("uatcert: invalid settings: UATCERT_V3__TOKEN_URL: must be an http:// or https:// URL with a host "
          "(got 'auth.uat.example/oauth2/token')",), 2, "UATCERT_V3__TOKEN_URL"),
    Case("url-with-credentials", "a base URL holding user:password@ (never echoed)",
         {**v3("closed"), "UATCERT_V3__BASE_URL": "https://me:hunter2@api.uat.example/v3"},
         ("uatcert: invalid settings: UATCERT_V3__BASE_URL: must not hold credentials (user:password@); use the "
          "client id and secret settings",), 2, "UATCERT_V3__BASE_URL"),
    Case("allsafe-plain-http", "an AllSafe base URL in plain http to another host",
         allsafe("http://allsafe.uat.example"),
         ("uatcert: UATCERT_ALLSAFE__BASE_URL must be an https URL (HTTP Basic credentials must not travel "
          "unencrypted; plain http only on a loopback address), got 'http://allsafe.uat.example'",), 2,
         "UATCERT_ALLSAFE__BASE_URL"),
    Case("bad-boolean", "a boolean that is neither true nor false", {"UATCERT_GUARD__ALLOW_PRODUCTION": "perhaps"},
         ("uatcert: invalid settings: UATCERT_GUARD__ALLOW_PRODUCTION: Input should be a valid boolean, unable to "
          "interpret input (got 'perhaps')",), 2, "UATCERT_GUARD__ALLOW_PRODUCTION"),
    Case("list-not-json", "a list setting that is not JSON", {"UATCERT_GUARD__PRODUCTION_HOST_PATTERNS": "prod"},
         ('uatcert: invalid settings: UATCERT_GUARD__PRODUCTION_HOST_PATTERNS: not valid JSON (expected a JSON list, '
          'e.g. ["one", "two"])',), 2, "UATCERT_GUARD__PRODUCTION_HOST_PATTERNS"),
    Case("typo-blocks", "a typo of a required setting (UATCERT_V3__CLIENT_SECERT)",
         {**V3_NO_SECRET, "UATCERT_V3__CLIENT_SECERT": "s3cret-value"}, (f"{V3_MISSING} ({TYPO})",), 2,
         "UATCERT_V3__CLIENT_SECRET?"),
    Case("typo-in-dotenv", "the same typo in .env", {}, (f"{V3_MISSING} ({TYPO.replace(' is', ' (in .env) is', 1)})",),
         2, "(in .env)", dotenv="".join(f"{k}={v}\n" for k, v in V3_NO_SECRET.items()).encode()
         + b"UATCERT_V3__CLIENT_SECERT=s3cret-value\n"),
    Case("typo-warns", "a typo of an optional setting: warned, the run goes on (here to a closed port)",
         {**v3("closed"), "UATCERT_V3__EXPECTED_PRODCUTS": "CODE1"},
         ("uatcert: warning: UATCERT_V3__EXPECTED_PRODCUTS is not a setting and is ignored: did you mean "
          "UATCERT_V3__EXPECTED_PRODUCTS?",
          "uatcert: cannot reach UATCERT_V3__TOKEN_URL http://{closed}/oauth2/token: connection refused (nothing "
          "listens on {closed})"), 3, "UATCERT_V3__EXPECTED_PRODUCTS?"),
    Case("dotenv-not-utf8", ".env saved in Latin-1", {}, ("uatcert: .env: line 2: not UTF-8 (byte 0xe9); save it as "
                                                          "UTF-8",), 2, ".env: line 2", dotenv=b"# a\nX=caf\xe9\n"),
    Case("reports-is-a-file", "--reports naming a file", {}, (
        "uatcert: the reports folder {tmp}/a-file/reports (--reports / UATCERT_RUN__REPORTS_DIR) cannot be created: "
        "Not a directory",), 2, "UATCERT_RUN__REPORTS_DIR", args=("--reports", "{tmp}/a-file/reports")),
    Case("unknown-profile", "an unknown profile", {}, ("uatcert: unknown profile v9; available: v3, v2, allsafe",), 2,
         "unknown profile", args=("--profile", "v9")),
    # -- the v2 catalogue file (exit 2) ---------------------------------------------------------------------------
    Case("v2-file-missing", "a v2 catalogue file that does not exist", {"UATCERT_V2__CATALOGUE_FILE": "{tmp}/no.csv"},
         ("uatcert: v2 catalogue file {tmp}/no.csv: file not found",), 2, "file not found"),
    Case("v2-file-empty", "an empty v2 catalogue file", {"UATCERT_V2__CATALOGUE_FILE": "{tmp}/empty.csv"},
         ("uatcert: v2 catalogue file {tmp}/empty.csv: line 1: the file is empty: expected a header row with "
          "product_name, product_code, order_number, product_type",), 2, "the file is empty"),
    Case("v2-file-not-utf8", "a v2 catalogue file saved in Latin-1", {"UATCERT_V2__CATALOGUE_FILE": "{tmp}/latin.csv"},
         ("uatcert: v2 catalogue file {tmp}/latin.csv: line 2: not UTF-8 (byte 0xe9 at character 4); save the file as "
          "CSV UTF-8",), 2, "not UTF-8"),
    Case("sandbox-catalogue-empty", "an empty catalogue file for the embedded sandbox",
         {"UATCERT_SANDBOX__CATALOGUE": "{tmp}/empty.json"},
         ("uatcert: UATCERT_SANDBOX__CATALOGUE {tmp}/empty.json: lists no product: nothing to certify",), 2,
         "UATCERT_SANDBOX__CATALOGUE", args=("--profile", "v3", "--reports", "{tmp}/sandbox-empty")),
    Case("sandbox-catalogue-not-json", "a catalogue file for the embedded sandbox that is not JSON",
         {"UATCERT_SANDBOX__CATALOGUE": "{tmp}/broken.json"},
         ("uatcert: sandbox catalogue {tmp}/broken.json: invalid JSON at line 1 column 17: Expecting value",), 2,
         "invalid JSON", args=("--profile", "v3", "--reports", "{tmp}/sandbox-broken")),
    # -- targets (exit 3) -----------------------------------------------------------------------------------------
    Case("unreachable", "nothing listens on the port", v3("closed"),
         ("uatcert: cannot reach UATCERT_V3__TOKEN_URL http://{closed}/oauth2/token: connection refused (nothing "
          "listens on {closed})",), 3, "connection refused"),
    Case("no-answer", "a port that takes the connection and never answers",
         {**v3("silent"), "UATCERT_V3__TIMEOUT_S": "0.5"},
         ("uatcert: cannot reach UATCERT_V3__TOKEN_URL http://{silent}/oauth2/token: timed out: no answer within "
          "0.5 s (UATCERT_V3__TIMEOUT_S)",), 3, "UATCERT_V3__TIMEOUT_S"),
    Case("tls-failure", "https:// to a plain-HTTP port",
         {**v3("html"), "UATCERT_V3__TOKEN_URL": "https://{html}/oauth2/token"},
         ("uatcert: cannot reach UATCERT_V3__TOKEN_URL https://{html}/oauth2/token: TLS failure: the handshake failed "
          "(WRONG_VERSION_NUMBER): is it a plain-http port?",), 3, "TLS failure"),
    Case("wrong-v3-secret", "a wrong v3 client secret", v3("sandbox", "wrong-secret-123", DEFAULT_CLIENT_ID),
         (f"uatcert: the v3 token endpoint http://{{sandbox}}/oauth2/token refused UATCERT_V3__CLIENT_ID "
          f"'{DEFAULT_CLIENT_ID}' with its UATCERT_V3__CLIENT_SECRET: POST /oauth2/token -> 400: token refused "
          "(invalid_client): client authentication failed (HTTP Basic client_id:client_secret)",), 3,
         "UATCERT_V3__CLIENT_SECRET"),
    Case("wrong-v2-secret", "a wrong v2 client secret", v2("sandbox", "wrong-secret-123"),
         (f"uatcert: the v2 token endpoint http://{{sandbox}}/v2/connect/token refused UATCERT_V2__CLIENT_ID "
          f"'{V2_CLIENT_ID}' with its UATCERT_V2__CLIENT_SECRET: POST /v2/connect/token -> 400: token refused "
          "(invalid_client): client authentication failed",), 3, "UATCERT_V2__CLIENT_SECRET"),
    Case("wrong-v2-x-client", "a wrong v2 X-Client pair", v2("sandbox"),
         ("uatcert: the v2 target http://{sandbox}/v2 refused the credentials (HTTP 401 to Check Vouchers): check "
          "UATCERT_V2__X_CLIENT_ID and UATCERT_V2__X_CLIENT_SECRET",), 3, "UATCERT_V2__X_CLIENT_SECRET"),
    Case("wrong-allsafe-password", "a wrong AllSafe password", allsafe("http://{sandbox}/allsafe"),
         (f"uatcert: the AllSafe target http://{{sandbox}}/allsafe refused the credentials of '{ALLSAFE_USERNAME}' "
          f"(UATCERT_ALLSAFE__USERNAME and UATCERT_ALLSAFE__PASSWORD): {ALLSAFE_401}",), 3,
         "UATCERT_ALLSAFE__PASSWORD"),
    Case("empty-catalogue", "a v3 target whose catalogue is empty",
         v3("empty", DEFAULT_CLIENT_SECRET, DEFAULT_CLIENT_ID),
         (f"uatcert: the v3 target http://{{empty}}/v3 lists no product for client '{DEFAULT_CLIENT_ID}' (GET "
          "/v3/products -> 404 Not Found: [404-F03] no product is configured for this client): nothing to certify: "
          "ask UNIQREWARDS to configure the client's products in this environment (or check UATCERT_V3__BASE_URL)",),
         3, "lists no product"),
    Case("html-v3", "a v3 token URL that answers an HTML page", v3("html"),
         ("uatcert: UATCERT_V3__TOKEN_URL http://{html}/oauth2/token answered an HTML page (HTTP 200 to POST "
          "/oauth2/token), not the API: check that UATCERT_V3__TOKEN_URL points at the API",), 3, "an HTML page"),
    Case("html-v2", "a v2 target that answers an HTML page", v2("html"),
         ("uatcert: UATCERT_V2__TOKEN_URL http://{html}/v2/connect/token answered an HTML page (HTTP 200 to POST "
          "/v2/connect/token), not the API: check that UATCERT_V2__TOKEN_URL points at the API",), 3, "an HTML page"),
    Case("html-allsafe", "an AllSafe target that answers an HTML error page", allsafe("http://{html}/portal"),
         ("uatcert: UATCERT_ALLSAFE__BASE_URL http://{html}/portal answered an HTML page (HTTP 404 to GET "
          "/portal/availability), not the API: check that UATCERT_ALLSAFE__BASE_URL points at the API",), 3,
         "an HTML page"),
)


async def _page(request: Request) -> HTMLResponse:
    """A portal's welcome page (200) at the root, its 'not found' page (404) under /portal."""
    status = 404 if request.url.path.startswith("/portal") else 200
    return HTMLResponse("<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>", status_code=status)


@pytest.fixture(scope="module")
def places(sandbox_server: BackgroundServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The values of SHOWN's placeholders: every server the cases use, started once."""
    tmp = tmp_path_factory.mktemp("bad-input")
    (tmp / "a-file").write_text("not a folder")
    (tmp / "empty.csv").write_bytes(b"")
    header = b"Product Name,Product Code,Order Number,Product Type\n"
    (tmp / "latin.csv").write_bytes(header + b"Caf\xe9,C1,1,product-based\n")
    (tmp / "empty.json").write_text(json.dumps({"products": []}))
    (tmp / "broken.json").write_text('{"products": [1,]}')
    html_app = Starlette(routes=[Route("/{path:path}", _page, methods=["GET", "POST"])])
    with socket.socket() as closed, socket.socket() as silent, BackgroundServer(html_app) as html, \
            BackgroundServer(create_app(SandboxConfig(catalogue_path=tmp / "empty.json"))) as empty:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # never accepted: connections complete, no answer ever comes
        yield {"closed": f"127.0.0.1:{closed.getsockname()[1]}", "silent": f"127.0.0.1:{silent.getsockname()[1]}",
               "html": f"127.0.0.1:{html.port}",
               "sandbox": f"127.0.0.1:{sandbox_server.port}", "empty": f"127.0.0.1:{empty.port}",
               "tmp": str(tmp), "v2file": str(V2_FILE)}


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def _run(case: Case, places: dict[str, str], folder: Path) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True)
    if case.dotenv is not None:
        dotenv = case.dotenv
        for key, value in places.items():
            dotenv = dotenv.replace(b"{" + key.encode() + b"}", value.encode())
        (folder / ".env").write_bytes(dotenv)
    args = [_fill(a, places) for a in case.args] or ["--reports", str(folder / "reports")]
    env = clean_env(**{k: _fill(v, places) for k, v in case.env.items()})
    return subprocess.run([sys.executable, "-m", "uatcert.cli", "run", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def outcomes(places: dict[str, str]) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case's `uatcert run`, four at a time (each in its own working folder)."""
    work = Path(places["tmp"]) / "cases"
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {c.id: pool.submit(_run, c, places, work / c.id) for c in CASES}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_its_line_and_exit_code(
    case: Case, places: dict[str, str], outcomes: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    proc = outcomes[case.id]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.splitlines() == [_fill(line, places) for line in case.lines]
    assert case.names in proc.stderr
    assert proc.stdout == ""
    assert proc.returncode == case.code
    for secret in ("s3cret-value", "wrong-secret-123", "allsafe-wrong-pw", "hunter2", DEFAULT_CLIENT_SECRET):
        assert secret not in proc.stderr


def render_doc() -> str:
    """docs/bad-input.md, from CASES."""
    rows = []
    for case in CASES:
        message = "<br>".join(f"`{_fill(line, SHOWN)}`".replace("|", "\\|") for line in case.lines)
        rows.append(f"| {case.what} | `{case.code}` | {message} |")
    return "\n".join([
        "# Bad input: one line and an exit code, never a traceback",
        "",
        "What `uatcert run` prints (on stderr, nothing else) for bad settings and unusable targets, and its exit",
        "code. This page is generated from the table of `tests/e2e/test_bad_input.py`, which runs each case",
        "against real servers on 127.0.0.1 and checks the line exactly; ports and temporary folders are shown",
        "as `<...>`. Regenerate it with `.venv/bin/python -m tests.e2e.test_bad_input > docs/bad-input.md`.",
        "",
        "- **2**: usage or configuration. Fix the named setting or file; nothing was sent.",
        "- **3**: the target cannot be certified as configured: unreachable (refused, TLS, DNS, timeout),",
        "  credentials refused, not the API (an HTML page: a portal, a gateway, a wrong URL), or nothing to",
        "  certify (an empty v3 catalogue: the provider must configure the client's products). Found by the",
        "  pre-flight, before the first scenario; nothing was issued. An empty catalogue file given to the",
        "  embedded sandbox (`UATCERT_SANDBOX__CATALOGUE`) is the run's own configuration: exit 2.",
        "- An unknown `UATCERT_*` variable (a typo) is **warned**, with the closest real name, and ignored: the",
        "  run goes on. When the typo leaves a required setting unset, the run stops on that missing setting",
        "  and the error names the typo instead of a separate warning. The names compared are every setting",
        "  of the model (`uatcert.config.setting_names()`), in the environment and in `.env`.",
        "- A value is repeated in the message to help find it, except secrets and URLs holding credentials.",
        "",
        "| bad input | exit | printed |",
        "|---|---|---|",
        *rows,
        "",
    ])


def test_the_doc_is_the_table() -> None:
    assert DOC.read_text(encoding="utf-8") == render_doc(), "regenerate docs/bad-input.md (see its first lines)"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render_doc())
