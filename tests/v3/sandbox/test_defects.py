"""Each defect mode breaks exactly its one documented behaviour (and the neighbouring ones still hold)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from pydantic import ValidationError

from tests.v3.sandbox.sandbox_support import (
    ACTIVATION,
    COFFEE,
    DINNER,
    FIXED,
    GIFT_CARD,
    LIMITED,
    OPEN,
    OPEN_MULTI,
    READONLY,
    Api,
    assert_error,
)
from uatcert.sandbox import DEFECT_MODES, SandboxConfig


def test_every_v3_defect_mode_is_tested() -> None:
    """v2 and AllSafe modes (prefixed) are tested with their APIs, in tests/v2 and tests/allsafe."""
    tested = {name.removeprefix("test_defect_") for name in globals() if name.startswith("test_defect_")}
    assert tested == {m for m in DEFECT_MODES if not m.startswith(("v2_", "allsafe_"))}


def test_defect_scope_not_enforced(api: Api) -> None:
    api.ctl.set_defect("scope_not_enforced")
    assert api.issue(FIXED, {"quantity": 1}, auth=READONLY).status_code == 200
    token = api.token(scope="client_v3_uat/read_vouchers")
    assert_error(api.get("/products", token=token), 403, "403-F01")  # reads still enforced


def test_defect_unknown_code_found(api: Api) -> None:
    api.ctl.set_defect("unknown_code_found")
    response = api.get("/products/NOSUCHCODE01")
    assert response.status_code == 200 and response.json()["data"]["code"] == "NOSUCHCODE01"
    assert_error(api.issue("NOSUCHCODE01", {"quantity": 1}), 404, "404-F01")


def test_defect_one_product_fails(api: Api) -> None:
    api.ctl.set_defect("one_product_fails")
    key = str(uuid.uuid4())
    assert_error(api.issue(COFFEE, {"quantity": 1}, key=key), 500, "500-F01")
    assert api.ctl.ledger() == []
    assert api.issue(DINNER, {"quantity": 1}).status_code == 200
    api.ctl.set_defect(None)
    retry = api.issue(COFFEE, {"quantity": 1}, key=key)
    assert retry.status_code == 200 and "idempotency-record" not in retry.headers  # nothing was stored


def test_defect_face_value_truncated(api: Api) -> None:
    api.ctl.set_defect("face_value_truncated")
    [voucher] = api.issue(OPEN, {"quantity": 1, "face_value": 1051}).json()["data"]
    assert voucher["remaining_amount"] == 1000 and voucher["name"] == "$10 UNIQGIFT Groceries Voucher"
    assert_error(api.issue(OPEN, {"quantity": 1, "face_value": 99}), 400, "400-056")


def test_defect_quantity_limit_not_enforced(api: Api) -> None:
    api.ctl.set_defect("quantity_limit_not_enforced")
    assert len(api.issue(FIXED, {"quantity": 21}).json()["data"]) == 21
    zero = api.issue(FIXED, {"quantity": 0})
    assert zero.status_code == 200 and zero.json()["data"] == []
    assert_error(api.issue(FIXED, {}), 400, "400-5DC")


def test_defect_key_optional(api: Api) -> None:
    api.ctl.set_defect("key_optional")
    assert api.issue(FIXED, {"quantity": 1}, key=None).status_code == 200
    assert api.ctl.ledger()[0]["idempotency_key"] is None
    assert_error(api.issue(FIXED, {"quantity": 1}, key="not-a-uuid"), 400, "400-BB4")


def test_defect_batch_limit_not_enforced(api: Api) -> None:
    api.ctl.set_defect("batch_limit_not_enforced")
    ids = [v["voucher_id"] for v in api.issue(FIXED, {"quantity": 20}).json()["data"]]
    ids += [v["voucher_id"] for v in api.issue(FIXED, {"quantity": 1}).json()["data"]]
    response = api.get("/vouchers", params={"id": ",".join(ids)})
    assert response.status_code == 200 and len(response.json()["data"]) == 21
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},{ids[0]}"}), 400, "400-215")


def test_defect_replay_issues_new(api: Api) -> None:
    api.ctl.set_defect("replay_issues_new")
    key = str(uuid.uuid4())
    first = api.issue(FIXED, {"quantity": 1}, key=key)
    second = api.issue(FIXED, {"quantity": 1}, key=key)
    assert second.status_code == 200 and "idempotency-record" not in second.headers
    assert second.json()["data"][0]["voucher_id"] != first.json()["data"][0]["voucher_id"]
    assert len(api.ctl.ledger()) == 2
    assert_error(api.issue(FIXED, {"quantity": 2}, key=key), 422, "422-F01")


def test_defect_mismatch_accepted(api: Api) -> None:
    api.ctl.set_defect("mismatch_accepted")
    key = str(uuid.uuid4())
    api.issue(FIXED, {"quantity": 1}, key=key)
    other = api.issue(FIXED, {"quantity": 2}, key=key)
    assert other.status_code == 200 and len(other.json()["data"]) == 2
    assert len(api.ctl.ledger()) == 2
    assert "idempotency-record" in api.issue(FIXED, {"quantity": 1}, key=key).headers


def test_defect_status_not_updated(api: Api) -> None:
    api.ctl.set_defect("status_not_updated")
    voucher_id = api.issue(FIXED, {"quantity": 1}).json()["data"][0]["voucher_id"]
    assert api.ctl.set_voucher_state(voucher_id, "void")["status"] == "voided"
    assert api.get(f"/vouchers/{voucher_id}").json()["data"]["status"] == "active"


def test_defect_product_lookup_other(api: Api) -> None:
    api.ctl.set_defect("product_lookup_other")
    assert api.get(f"/products/{FIXED}").json()["data"]["code"] == OPEN
    assert_error(api.get("/products/NOSUCH01"), 404, "404-F01")


def test_defect_catalogue_drift(api: Api) -> None:
    api.ctl.set_defect("catalogue_drift")
    first = [p["code"] for p in api.get("/products").json()["data"]]
    second = [p["code"] for p in api.get("/products").json()["data"]]
    assert first[-1] == ACTIVATION and second == first[:-1]
    assert api.get(f"/products/{ACTIVATION}").status_code == 200
    assert api.issue(ACTIVATION, {"quantity": 1}).status_code == 200


def test_defect_empty_voucher_code(api: Api) -> None:
    api.ctl.set_defect("empty_voucher_code")
    [voucher] = api.issue(COFFEE, {"quantity": 1}).json()["data"]
    assert voucher["voucher_code"] == ""
    assert api.get(f"/vouchers/{voucher['voucher_id']}").json()["data"]["voucher_code"] == ""
    assert api.issue(FIXED, {"quantity": 1}).json()["data"][0]["voucher_code"].startswith("UG")


def test_defect_duplicate_voucher_codes(api: Api) -> None:
    api.ctl.set_defect("duplicate_voucher_codes")
    [fixed] = api.issue(FIXED, {"quantity": 1}).json()["data"]
    coffee = api.issue(COFFEE, {"quantity": 2}).json()["data"]
    assert coffee[0]["voucher_code"] == fixed["voucher_code"] != coffee[1]["voucher_code"]


def test_defect_voucher_flags_wrong(api: Api) -> None:
    api.ctl.set_defect("voucher_flags_wrong")
    [card] = api.issue(GIFT_CARD, {"quantity": 1}).json()["data"]
    assert card["is_multiple_use"] is False
    assert api.get(f"/vouchers/{card['voucher_id']}").json()["data"]["is_multiple_use"] is False
    assert api.issue(COFFEE, {"quantity": 1}).json()["data"][0]["is_multiple_use"] is True


def test_defect_fv_placeholder_kept(api: Api) -> None:
    api.ctl.set_defect("fv_placeholder_kept")
    assert api.issue(OPEN, {"quantity": 1, "face_value": 1051}).json()["data"][0]["name"].startswith("${FV}")
    assert api.issue(OPEN, {"quantity": 1, "face_value": 5000}).json()["data"][0]["name"].startswith("$50 ")


def test_defect_quantity_capped(api: Api) -> None:
    api.ctl.set_defect("quantity_capped")
    response = api.issue(FIXED, {"quantity": 20})
    assert response.status_code == 200 and len(response.json()["data"]) == 10
    assert len(api.issue(FIXED, {"quantity": 2}).json()["data"]) == 2


def test_defect_stock_not_enforced(api: Api) -> None:
    api.ctl.set_defect("stock_not_enforced")
    assert len(api.issue(LIMITED, {"quantity": 6}).json()["data"]) == 6
    assert api.ctl.stock(LIMITED) == 0


def test_defect_value_changed_on_read(api: Api) -> None:
    api.ctl.set_defect("value_changed_on_read")
    [voucher] = api.issue(FIXED, {"quantity": 1}).json()["data"]
    assert api.get(f"/vouchers/{voucher['voucher_id']}").json()["data"]["remaining_amount"] == 1100
    batch = api.get("/vouchers", params={"id": voucher["voucher_id"]}).json()["data"]
    assert batch[0]["remaining_amount"] == 1000


def test_defect_batch_fields_altered(api: Api) -> None:
    api.ctl.set_defect("batch_fields_altered")
    [voucher] = api.issue(FIXED, {"quantity": 1}).json()["data"]
    [batch] = api.get("/vouchers", params={"id": voucher["voucher_id"]}).json()["data"]
    assert batch["expiration"] != voucher["expiration"] and batch["name"] != voucher["name"]
    assert api.get(f"/vouchers/{voucher['voucher_id']}").json()["data"] == voucher


def test_defect_replay_new_codes(api: Api) -> None:
    api.ctl.set_defect("replay_new_codes")
    key = str(uuid.uuid4())
    [first] = api.issue(FIXED, {"quantity": 1}, key=key).json()["data"]
    replay = api.issue(FIXED, {"quantity": 1}, key=key)
    [again] = replay.json()["data"]
    assert "idempotency-record" in replay.headers and again["voucher_id"] == first["voucher_id"]
    assert again["voucher_code"] != first["voucher_code"]
    assert api.get(f"/vouchers/{first['voucher_id']}").json()["data"]["voucher_code"] == again["voucher_code"]


def test_defect_mismatch_product_replays(api: Api) -> None:
    api.ctl.set_defect("mismatch_product_replays")
    key = str(uuid.uuid4())
    [first] = api.issue(OPEN, {"quantity": 1, "face_value": 5000}, key=key).json()["data"]
    other = api.issue(OPEN_MULTI, {"quantity": 1, "face_value": 5000}, key=key)
    assert other.status_code == 200 and other.json()["data"][0]["voucher_id"] == first["voucher_id"]
    assert_error(api.issue(OPEN, {"quantity": 2, "face_value": 5000}, key=key), 422, "422-F01")


def test_defect_mismatch_face_value_replays(api: Api) -> None:
    api.ctl.set_defect("mismatch_face_value_replays")
    key = str(uuid.uuid4())
    [first] = api.issue(OPEN, {"quantity": 1, "face_value": 5000}, key=key).json()["data"]
    other = api.issue(OPEN, {"quantity": 1, "face_value": 7000}, key=key)
    assert other.status_code == 200 and other.json()["data"][0]["voucher_id"] == first["voucher_id"]
    assert_error(api.issue(OPEN_MULTI, {"quantity": 1, "face_value": 5000}, key=key), 422, "422-F01")


def test_defect_identical_body_replays(api: Api) -> None:
    api.ctl.set_defect("identical_body_replays")
    first = api.issue(FIXED, {"quantity": 2}).json()["data"]
    second = api.issue(FIXED, {"quantity": 2}).json()["data"]
    assert [v["voucher_id"] for v in second] == [v["voucher_id"] for v in first]
    assert len(api.ctl.ledger()) == 1
    single = [api.issue(FIXED, {"quantity": 1}).json()["data"][0]["voucher_id"] for _ in range(2)]
    assert single[0] != single[1]  # one voucher at a time is never deduplicated


def test_config_defect_is_active_from_the_start(start_sandbox: Callable[..., Api]) -> None:
    sandbox = start_sandbox(defect="key_optional")
    assert sandbox.ctl.info()["defect"] == "key_optional"
    assert sandbox.issue(FIXED, {"quantity": 1}, key=None).status_code == 200


def test_config_rejects_an_unknown_defect() -> None:
    for mode in DEFECT_MODES:
        assert SandboxConfig(defect=mode).defect == mode
    with pytest.raises(ValidationError, match="unknown defect mode 'nope'"):
        SandboxConfig(defect="nope")
