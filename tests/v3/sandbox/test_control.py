"""The control API: info, reset, faults, defect, tokens, stock, and its input checks."""

from __future__ import annotations

import pytest

from tests.v3.sandbox.sandbox_support import FIXED, LIMITED, Api
from uatcert.errors import SandboxError
from uatcert.sandbox import DEFECT_MODES, FAULT_KINDS, SandboxConfig, SandboxControl, create_app


def test_info(api: Api) -> None:
    info = api.ctl.info()
    assert info["apis"]["v3"] == {"base_url": api.srv.v3_base_url, "token_url": api.srv.token_url}
    assert info["control_url"] == api.srv.control_url
    assert [c["client_id"] for c in info["clients"]] == ["uatcert-sandbox", "uatcert-readonly"]
    assert info["defect"] is None
    assert info["defect_modes"] == DEFECT_MODES
    assert info["fault_kinds"] == list(FAULT_KINDS)
    assert info["version"]
    assert "secret" not in str(info["clients"])


def test_each_app_registers_its_fault_targets_and_reset_hooks_explicitly() -> None:
    state = create_app(SandboxConfig()).state.sandbox
    assert state.faults.apis == {"/v3/": "v3", "/oauth2/": "token", "/v2/": "v2", "/allsafe/": "allsafe"}
    assert state.faults.api_of("/allsafe/allocate") == "allsafe" and state.faults.api_of("/__sandbox/reset") is None
    assert len(state.reset_hooks) == 3  # every API's world (v3, v2, AllSafe) reseeds on every reset


def test_reset_restores_the_seeded_state_and_keeps_the_defect(api: Api) -> None:
    [voucher] = api.issue(LIMITED, {"quantity": 1}).json()["data"]
    api.ctl.arm_fault("rate_limit")
    api.ctl.set_defect("key_optional")
    api.ctl.reset()
    assert api.ctl.stock(LIMITED) == 5
    assert api.ctl.ledger() == []
    assert api.ctl.faults() == []
    assert api.get(f"/vouchers/{voucher['voucher_id']}").status_code == 404
    assert api.ctl.info()["defect"] == "key_optional"
    assert api.get("/products").status_code == 200  # tokens survive a reset


def test_reset_forgets_idempotency_records(api: Api) -> None:
    key = "0c4a5f2e-7d9b-4c1e-8a3f-6b2d9e0f1a7c"
    first = api.issue(FIXED, {"quantity": 1}, key=key)
    api.ctl.reset()
    again = api.issue(FIXED, {"quantity": 1}, key=key)
    assert "idempotency-record" not in again.headers and again.content != first.content


def test_faults_list_and_clear(api: Api) -> None:
    armed = api.ctl.arm_fault("slow_commit", path="^/v3/products/X$", delay_s=0.5, times=3, nth=2)
    assert armed["kind"] == "slow_commit" and armed["delay_s"] == 0.5 and armed["remaining"] == 3
    assert armed["method"] == "POST" and armed["api"] == "v3"
    assert [f["id"] for f in api.ctl.faults()] == [armed["id"]]
    api.ctl.clear_faults()
    assert api.ctl.faults() == []


def test_arm_fault_answers_201(api: Api) -> None:
    response = api.http.post(api.srv.control_url + "/faults", json={"kind": "partial", "count": 1})
    assert response.status_code == 201
    assert response.json()["data"]["count"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "explode"}, "kind"),
        ({"kind": "rate_limit", "path": "(unclosed"}, "not a valid regular expression"),
        ({"kind": "rate_limit", "times": 0}, "times"),
        ({"kind": "rate_limit", "times": "2"}, "times"),
        ({"kind": "rate_limit", "nth": 0}, "nth"),
        ({"kind": "rate_limit", "status": 500}, "status applies only to kind"),
        ({"kind": "commit_then_500", "status": 404}, "5xx"),
        ({"kind": "partial", "delay_s": 1}, "delay_s applies only"),
        ({"kind": "rate_limit", "api": "v9"}, "unknown api"),
        ({"kind": "rate_limit", "method": "FETCH"}, "method"),
        ({"kind": "rate_limit", "colour": "red"}, "colour"),
        ({}, "kind"),
    ],
)
def test_bad_fault_input_is_400_with_a_clear_message(api: Api, body: dict[str, object], message: str) -> None:
    response = api.http.post(api.srv.control_url + "/faults", json=body)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [("POST", "/faults", b"{"), ("POST", "/faults", b"[]"), ("PUT", "/defect", b'{"mode": 3}'),
     ("PUT", "/defect", b"{}"), ("PUT", "/defect", b'{"mode": "no_such_mode"}'),
     ("GET", "/ledger?colour=red", b"")],
)
def test_bad_control_input_is_400(api: Api, method: str, path: str, content: bytes) -> None:
    response = api.http.request(method, api.srv.control_url + path, content=content)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_control_client_raises_sandbox_error(api: Api) -> None:
    with pytest.raises(SandboxError, match="unknown defect mode 'nope'"):
        api.ctl.set_defect("nope")
    with pytest.raises(SandboxError, match="HTTP 404"):
        api.ctl.stock("NOSUCH")
    with SandboxControl("http://127.0.0.1:9") as dead, pytest.raises(SandboxError, match="unreachable"):
        dead.info()


def test_defect_can_be_set_and_cleared(api: Api) -> None:
    api.ctl.set_defect("mismatch_accepted")
    assert api.ctl.info()["defect"] == "mismatch_accepted"
    api.ctl.set_defect(None)
    assert api.ctl.info()["defect"] is None


def test_unknown_control_route_is_404(api: Api) -> None:
    assert api.http.get(api.srv.control_url + "/nothing").status_code == 404
