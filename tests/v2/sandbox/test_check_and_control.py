"""The sandbox's v2 Check Vouchers, control API, defect modes, catalogue file and info route."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.v2.sandbox.support import (
    ACTIVATION,
    ACTIVATION_ORDER,
    CINEMA,
    CINEMA_ORDER,
    COFFEE,
    COFFEE_ORDER,
    OTHER,
    V2,
    assert_failed,
    refs,
)
from uatcert.errors import ConfigError
from uatcert.formats.v2_catalogue import CatalogueFileError
from uatcert.sandbox import (
    DEFECT_MODES,
    V2_CLIENT_ID,
    V2_X_CLIENT_ID,
    BackgroundServer,
    SandboxConfig,
    SandboxControl,
    create_app,
)


# -- Check Vouchers --------------------------------------------------------------------------------
def test_check_vouchers(v2: V2, sandbox: SandboxControl) -> None:
    dynamic = refs(v2.request(body={"manual_quantity": 2, "face_value": 61.72}))
    coffee = refs(v2.request(COFFEE, COFFEE_ORDER, {"manual_quantity": 1}))
    asked = [coffee[0], *dynamic, dynamic[0]]
    response = v2.check(asked)
    assert response.status_code == 200 and response.json()["meta"] == {"status": "succeeded"}
    data = response.json()["data"]
    assert [d["voucher_settlement_ref"] for d in data] == asked
    assert data[0] == {"expiration_date": data[0]["expiration_date"], "remaining_value": 5,
                       "voucher_settlement_ref": coffee[0], "status": "Active"}
    assert data[1]["remaining_value"] == 61.72 and data[1]["expiration_date"] == "31 Dec 2029"
    assert "x-correlation-id" not in response.headers


@pytest.mark.parametrize(("action", "amount", "status", "remaining"), [
    ("use", None, "Used", 0), ("void", None, "Trashed", 50), ("expire", None, "Expired", 50),
    ("redeem", 1050, "Active", 39.5), ("redeem", None, "Used", 0),
])
def test_state_changes_through_the_control_api(v2: V2, sandbox: SandboxControl, action: str, amount: int | None,
                                                status: str, remaining: float) -> None:
    [ref] = refs(v2.request())
    sandbox.set_voucher_state(ref, action, amount)
    [entry] = v2.check([ref]).json()["data"]
    assert (entry["status"], entry["remaining_value"]) == (status, remaining)


def test_activation_and_third_party_statuses(v2: V2, sandbox: SandboxControl) -> None:
    [inactive] = refs(v2.request(ACTIVATION, ACTIVATION_ORDER, {"manual_quantity": 1}))
    assert v2.check([inactive]).json()["data"][0]["status"] == "Inactive"
    sandbox.set_voucher_state(inactive, "activate")
    assert v2.check([inactive]).json()["data"][0]["status"] == "Active"
    [cinema] = refs(v2.request(CINEMA, CINEMA_ORDER, {"manual_quantity": 1}))
    sandbox.set_voucher_state(cinema, "use")
    assert v2.check([cinema]).json()["data"][0]["status"] == "Active"  # third-party: static, as issued


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"voucher_settlement_refs": []}, 400, "SIM-REFS-EMPTY"),
    ({"voucher_settlement_refs": [str(uuid.uuid4()) for _ in range(21)]}, 400, "SIM-REFS-COUNT"),
    ({"voucher_settlement_refs": "abc"}, 400, "SIM-BODY"),
    ({}, 400, "SIM-BODY"),
])
def test_check_vouchers_refusals(v2: V2, body: dict[str, Any], status: int, code: str) -> None:
    response = v2.http.post(f"{v2.base}/catalogs/ETX_001/vouchers/actions/check", json=body, headers=v2.headers())
    assert_failed(response, status, code)


def test_unknown_and_other_clients_refs_are_not_found_all_or_nothing(v2: V2) -> None:
    [mine] = refs(v2.request())
    other_token = v2.token(OTHER.client_id, OTHER.client_secret)
    other_headers = v2.headers(token=other_token, x_id=OTHER.x_client_id, x_secret=OTHER.x_client_secret)
    [theirs] = refs(v2.request(headers={**other_headers, "X-Correlation-Id": str(uuid.uuid4())}))
    unknown = str(uuid.uuid4())
    response = v2.check([mine, theirs, unknown])
    assert_failed(response, 404, "SIM-REF-NOT-FOUND")
    assert [theirs in m["text"] or unknown in m["text"] for m in response.json()["meta"]["messages"]] == [True, True]
    assert_failed(v2.check([mine], product_class="ETX_002"), 404, "SIM-CLASS")


def test_v2_vouchers_are_invisible_to_v3(v2: V2, server: BackgroundServer, http: httpx.Client) -> None:
    from uatcert.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

    [ref] = refs(v2.request())
    token = http.post(server.token_url, auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
                      data={"grant_type": "client_credentials"}).json()["access_token"]
    assert http.get(f"{server.v3_base_url}/vouchers/{ref}", headers={"Authorization": f"Bearer {token}"}
                    ).status_code == 404


# -- defect modes ----------------------------------------------------------------------------------
def test_every_v2_defect_mode_and_code_is_documented() -> None:
    from uatcert.sandbox.v2.codes import V2_CODES

    docs = (Path(__file__).resolve().parents[3] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    modes = [m for m in DEFECT_MODES if m.startswith("v2_")]
    assert len(modes) == 16
    for mode in modes:
        assert f"| `{mode}` |" in docs
    assert len(V2_CODES) == len({c.code for c in V2_CODES}) == 26
    for code in V2_CODES:
        assert f"`{code.code}`" in docs, code.code
        assert code.code.startswith("SIM-") or code.code in ("ERV1102", "ERV1202")


def test_defect_client_secret_not_checked(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_client_secret_not_checked")
    assert v2.request(headers=v2.headers(x_secret="wrong", correlation_id=str(uuid.uuid4()))).status_code == 200
    assert_failed(v2.request(headers=v2.headers(x_id="unknown")), 401, "SIM-AUTH-CLIENT")


def test_defect_unknown_product_issued(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_unknown_product_issued")
    response = v2.request("NOSUCH01", "1", {"manual_quantity": 1})
    assert response.json()["data"][0]["voucher_name"] == "$10 NOSUCH01 Voucher"


def test_defect_one_product_fails(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_one_product_fails")
    assert_failed(v2.request(COFFEE, COFFEE_ORDER, {"manual_quantity": 1}), 500, "ERV1202")
    assert sandbox.ledger(api="v2") == []
    assert v2.request().status_code == 200


def test_defect_face_value_as_cents(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_face_value_as_cents")
    response = v2.request(body={"manual_quantity": 1, "face_value": 61.72})
    assert response.json()["data"][0]["voucher_name"] == "$0.62 UNIQGIFT Groceries Voucher"
    assert_failed(v2.request(body={"manual_quantity": 1, "face_value": 0.99}), 400, "SIM-FV-RANGE")


def test_defect_quantity_limit_not_enforced(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_quantity_limit_not_enforced")
    assert len(refs(v2.request(body={"manual_quantity": 21, "face_value": 5}))) == 21
    assert v2.request(body={"manual_quantity": 0, "face_value": 5}).json() == {"meta": {"status": "succeeded"},
                                                                              "data": []}


def test_defect_status_not_updated(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_status_not_updated")
    [ref] = refs(v2.request())
    sandbox.set_voucher_state(ref, "use")
    assert v2.check([ref]).json()["data"][0]["status"] == "Active"


def test_defect_replay_issues_new(v2: V2, sandbox: SandboxControl) -> None:
    sandbox.set_defect("v2_replay_issues_new")
    key = str(uuid.uuid4())
    assert refs(v2.request(correlation_id=key)) != refs(v2.request(correlation_id=key))
    assert len(sandbox.ledger(api="v2", idempotency_key=key)) == 2


# -- the catalogue file and the info route ------------------------------------------------------------
def test_info(v2: V2, server: BackgroundServer, http: httpx.Client) -> None:
    info = http.get(f"{server.base_url}/__sandbox/v2/info").json()["data"]
    assert info["base_url"] == f"{server.base_url}/v2" and info["token_url"] == f"{server.base_url}/v2/connect/token"
    assert info["clients"][0] == {"client_id": V2_CLIENT_ID, "x_client_id": V2_X_CLIENT_ID}
    assert len(info["products"]) == 7 and info["product_class"] == "ETX_001"


def test_own_catalogue_file_with_only_the_documented_columns(tmp_path: Path, http: httpx.Client,
                                                             start_sandbox: Callable[..., BackgroundServer]) -> None:
    path = tmp_path / "uat.csv"
    path.write_text("Product Name,Product Code,Order Number,Product Type\n"
                    "$15 Own Voucher,OWN15,202401010001,fixed value-based\n"
                    "Lunch for one,OWNLUNCH,202401010002,product-based\n", encoding="utf-8")
    srv = start_sandbox(v2_catalogue_path=path)
    api = V2(srv, http)
    own = api.request("OWN15", "202401010001", {"manual_quantity": 1}).json()["data"][0]
    assert own["voucher_name"] == "$15 Own Voucher"
    [ref] = refs(api.request("OWNLUNCH", "202401010002", {"manual_quantity": 1}))
    assert api.check([ref]).json()["data"][0]["remaining_value"] == 1
    assert_failed(api.request(), 404, "SIM-PRODUCT")


@pytest.mark.parametrize(("content", "message"), [
    ("product_name,product_code\nA,B\n", "line 1: the header lacks the column(s) order_number, product_type"),
    ("product_name,product_code,order_number,product_type\nA,B,12x,fixed\n",
     "line 2, column 3 (order_number): '12x' is not a number of digits"),
    ("product_name,product_code,order_number,product_type,expiry_rule\nA,B,1,fixed,weekly\n",
     "line 2, column 5 (expiry_rule)"),
    ("product_name,product_code,order_number,product_type,initial_value\nA,B,1,dynamic,5\n",
     "line 2, column 5 (initial_value): must be empty"),
    ("product_name,product_code,order_number,product_type\nA,B,1,fixed\nC,B,2,fixed\n",
     "line 3, column 2 (product_code): product code 'B' is already on line 2"),
    ("product_name,product_code,order_number,product_type\n", "line 2: no product rows"),
])
def test_sandbox_catalogue_errors(tmp_path: Path, content: str, message: str) -> None:
    """The sandbox reads the file with the one reader (uatcert.formats): the same errors as the suite prints."""
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueFileError, match="v2 catalogue file") as caught:
        create_app(SandboxConfig(v2_catalogue_path=path))
    assert isinstance(caught.value, ConfigError)
    assert message in str(caught.value)


def test_duplicate_v2_clients_are_refused() -> None:
    client = SandboxConfig().v2_clients[0]
    with pytest.raises(ValueError, match="duplicate v2 client_id"):
        SandboxConfig(v2_clients=[client, client])
