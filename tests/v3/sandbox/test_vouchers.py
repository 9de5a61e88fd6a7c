"""GET /vouchers/{id} and GET /vouchers?id=...: codes, ordering, lifecycle through the control API."""

from __future__ import annotations

import uuid

import pytest

from tests.v3.sandbox.sandbox_support import (
    ACTIVATION,
    COFFEE,
    FIXED,
    GIFT_CARD,
    READONLY,
    THIRD_PARTY,
    Api,
    assert_error,
)
from uatcert.errors import SandboxError


def _issue_ids(api: Api, code: str, quantity: int = 1, face_value: int | None = None) -> list[str]:
    body = {"quantity": quantity} if face_value is None else {"quantity": quantity, "face_value": face_value}
    response = api.issue(code, body)
    assert response.status_code == 200, response.text
    return [v["voucher_id"] for v in response.json()["data"]]


def _status(api: Api, voucher_id: str) -> tuple[str, int]:
    data = api.get(f"/vouchers/{voucher_id}").json()["data"]
    return data["status"], data["remaining_amount"]


def test_single_voucher_matches_the_issued_one(api: Api) -> None:
    issued = api.issue(FIXED, {"quantity": 1}).json()["data"][0]
    response = api.get(f"/vouchers/{issued['voucher_id']}")
    assert response.status_code == 200
    assert response.json()["data"] == issued
    assert api.get(f"/vouchers/{issued['voucher_id'].upper()}").status_code == 200


def test_readonly_client_can_read_vouchers_of_its_own_only(api: Api) -> None:
    [voucher_id] = _issue_ids(api, FIXED)
    assert_error(api.get(f"/vouchers/{voucher_id}", auth=READONLY), 404, "404-F02")


def test_batch_keeps_request_order_and_allows_one_id(api: Api) -> None:
    ids = _issue_ids(api, FIXED, 20)
    reordered = list(reversed(ids))
    response = api.get("/vouchers", params={"id": ",".join(reordered)})
    assert response.status_code == 200
    assert [v["voucher_id"] for v in response.json()["data"]] == reordered
    single = api.get("/vouchers", params={"id": ids[0]}).json()["data"]
    assert [v["voucher_id"] for v in single] == [ids[0]]


def test_batch_errors(api: Api) -> None:
    ids = _issue_ids(api, FIXED, 20)
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},{ids[0]}"}), 400, "400-215")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},{ids[1].upper()},{ids[1]}"}), 400, "400-215")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},nope"}), 400, "400-67B")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]};{ids[1]}"}), 400, "400-67B")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},"}), 400, "400-67B")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]}\n"}), 400, "400-67B")
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]}, {ids[1]}"}), 400, "400-67B")
    assert_error(api.get("/vouchers", params={"id": ",".join([*ids, str(uuid.uuid4())])}), 400, "400-B32")
    assert_error(api.get("/vouchers"), 400, "400-F01")
    assert_error(api.get("/vouchers", params={"id": ""}), 400, "400-F01")


def test_batch_is_all_or_nothing_404(api: Api) -> None:
    ids = _issue_ids(api, FIXED, 2)
    assert_error(api.get("/vouchers", params={"id": f"{ids[0]},{uuid.uuid4()},{ids[1]}"}), 404, "404-F02")


def test_single_errors(api: Api) -> None:
    assert_error(api.get(f"/vouchers/{uuid.uuid4()}"), 404, "404-F02")
    assert_error(api.get("/vouchers/not-a-uuid"), 400, "400-F02")
    assert_error(api.get(f"/vouchers/{uuid.uuid4()}%0A"), 400, "400-F02")


def test_partial_redemption_of_a_multiple_use_voucher(api: Api) -> None:
    [voucher_id] = _issue_ids(api, GIFT_CARD)
    state = api.ctl.set_voucher_state(voucher_id, "redeem", 1500)
    assert (state["status"], state["remaining_amount"]) == ("active", 3500)
    assert _status(api, voucher_id) == ("active", 3500)
    api.ctl.set_voucher_state(voucher_id, "redeem", 3500)
    assert _status(api, voucher_id) == ("used", 0)


def test_product_based_items_redeemed_one_by_one(api: Api) -> None:
    [voucher_id] = _issue_ids(api, COFFEE)
    api.ctl.set_voucher_state(voucher_id, "redeem", 1)
    assert _status(api, voucher_id) == ("active", 4)


def test_single_use_redeem_use_void_expire(api: Api) -> None:
    a, b, c, d = _issue_ids(api, FIXED, 4)
    api.ctl.set_voucher_state(a, "redeem", 100)
    assert _status(api, a) == ("used", 0)
    api.ctl.set_voucher_state(b, "use")
    assert _status(api, b) == ("used", 0)
    api.ctl.set_voucher_state(c, "void")
    assert _status(api, c) == ("voided", 1000)
    api.ctl.set_voucher_state(d, "expire")
    data = api.get(f"/vouchers/{d}").json()["data"]
    assert data["status"] == "expired"


def test_activation(api: Api) -> None:
    [voucher_id] = _issue_ids(api, ACTIVATION)
    assert _status(api, voucher_id)[0] == "inactive"
    with pytest.raises(SandboxError, match="inactive"):
        api.ctl.set_voucher_state(voucher_id, "redeem", 100)
    api.ctl.set_voucher_state(voucher_id, "activate")
    assert _status(api, voucher_id)[0] == "active"


def test_status_not_available_always_shows_the_issuance_snapshot(api: Api) -> None:
    issued = api.issue(THIRD_PARTY, {"quantity": 1}).json()["data"][0]
    state = api.ctl.set_voucher_state(issued["voucher_id"], "use")
    assert state["status"] == "used"
    assert api.get(f"/vouchers/{issued['voucher_id']}").json()["data"] == issued


@pytest.mark.parametrize(
    ("action", "amount", "message"),
    [("void", None, "cannot void a voucher that is used"), ("redeem", 5, "cannot redeem"),
     ("activate", None, "cannot activate")],
)
def test_terminal_states_refuse_changes(api: Api, action: str, amount: int | None, message: str) -> None:
    [voucher_id] = _issue_ids(api, FIXED)
    api.ctl.set_voucher_state(voucher_id, "use")
    with pytest.raises(SandboxError, match=message):
        api.ctl.set_voucher_state(voucher_id, action, amount)


def test_bad_voucher_actions(api: Api) -> None:
    [voucher_id] = _issue_ids(api, GIFT_CARD)
    with pytest.raises(SandboxError, match="amount must be between 1 and the remaining amount 5000"):
        api.ctl.set_voucher_state(voucher_id, "redeem", 5001)
    with pytest.raises(SandboxError, match="HTTP 400"):
        api.ctl.set_voucher_state(voucher_id, "redeem", 0)
    with pytest.raises(SandboxError, match="HTTP 400"):
        api.ctl.set_voucher_state(voucher_id, "refund")
    with pytest.raises(SandboxError, match="HTTP 404"):
        api.ctl.set_voucher_state(str(uuid.uuid4()), "void")
