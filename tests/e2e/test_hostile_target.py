"""
A hostile v3 target: its token and catalogue calls work, every other answer is an HTML gateway page or
truncated JSON. The run must report each scenario that met one as BROKEN with a one-line reason (no
traceback), and exit 1 (not certified). One `uatcert run`, read by every assertion.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.e2e.conftest import Run, clean_env, run_uatcert
from uatcert.sandbox import BackgroundServer

GATEWAY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
PRODUCT = {"code": "HOSTILE10SGD01", "name": "$10 Hostile Voucher", "description": "", "currency": "SGD",
           "face_value": 1000, "is_value_based": True, "is_open_value": False, "is_status_available": True,
           "is_multiple_use": False}
TRUNCATED = b'{"data": [{"voucher_code": "UG28841'


async def token(request: Request) -> Response:
    return JSONResponse({"access_token": "hostile-token", "expires_in": 3600, "token_type": "Bearer"})


async def products(request: Request) -> Response:
    return JSONResponse({"data": [PRODUCT]})


async def product(request: Request) -> Response:
    if request.method == "POST":  # issuance: a 200 whose body breaks off
        return Response(TRUNCATED, 200, media_type="application/json")
    return Response(GATEWAY_PAGE, 200, media_type="text/html")


async def vouchers(request: Request) -> Response:
    return Response(GATEWAY_PAGE, 502, media_type="text/html")


HOSTILE = Starlette(routes=[
    Route("/oauth2/token", token, methods=["POST"]),
    Route("/v3/products", products, methods=["GET"]),
    Route("/v3/products/{code:path}", product, methods=["GET", "POST"]),
    Route("/v3/vouchers", vouchers, methods=["GET"]),
    Route("/v3/vouchers/{id}", vouchers, methods=["GET"]),
])


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with BackgroundServer(HOSTILE, host="127.0.0.1", port=0) as server:
        env = clean_env(UATCERT_V3__BASE_URL=server.v3_base_url, UATCERT_V3__TOKEN_URL=server.token_url,
                        UATCERT_V3__CLIENT_ID="hostile-client", UATCERT_V3__CLIENT_SECRET="hostile-secret-4821",
                        UATCERT_V3__TIMEOUT_S="5")
        yield run_uatcert(tmp_path_factory.mktemp("hostile") / "reports", "--profile", "v3", env=env)


def test_hostile_answers_are_broken_with_a_one_line_reason(hostile_run: Run) -> None:
    assert hostile_run.returncode == 1, hostile_run.stdout + hostile_run.stderr
    broken = [s for s in hostile_run.results.scenarios if s.outcome == "broken"]
    assert broken, [(s.name, s.outcome) for s in hostile_run.results.scenarios]
    for scenario in broken:
        assert scenario.message and "\n" not in scenario.message, scenario
        assert "Traceback" not in scenario.message and "hostile-secret-4821" not in scenario.message
    messages = {s.message for s in broken}
    page = "ResponseValidationError: GET /v3/products/HOSTILE10SGD01 -> 200: body is not JSON (text/html"
    cut = "ResponseValidationError: POST /v3/products/HOSTILE10SGD01 -> 200: body is not JSON (application/json"
    assert any(m.startswith(page) for m in messages) and any(m.startswith(cut) for m in messages), messages
    # an unreadable answer is trouble on the way, never a finding against the documented model
    failed = [s.message for s in hostile_run.results.scenarios if s.outcome == "failed"]
    assert failed and not any("not JSON" in m for m in failed), failed


def test_the_summary_names_each_broken_scenario_and_no_traceback(hostile_run: Run) -> None:
    lines = hostile_run.stdout.splitlines()
    broken_lines = [line for line in lines if line.strip().startswith("BROKEN ")]
    assert len(broken_lines) == sum(s.outcome == "broken" for s in hostile_run.results.scenarios)
    assert "Verdict: NOT CERTIFIED" in hostile_run.stdout
    assert "Traceback" not in hostile_run.stdout + hostile_run.stderr

