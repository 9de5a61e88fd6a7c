"""Each AllSafe defect mode breaks exactly the behaviour it names (the suite must then fail one requirement)."""

from __future__ import annotations

import httpx
import pytest

from uatcert.sandbox import (
    ALLSAFE_EMPTY_PASSWORD,
    ALLSAFE_EMPTY_USERNAME,
    ALLSAFE_ENDED_PASSWORD,
    ALLSAFE_ENDED_USERNAME,
    ALLSAFE_NOVAULT_PASSWORD,
    ALLSAFE_NOVAULT_USERNAME,
    ALLSAFE_REVOKED_PASSWORD,
    ALLSAFE_REVOKED_USERNAME,
    ALLSAFE_SOLD_OUT,
    ALLSAFE_USERNAME,
    DEFECT_MODES,
)

from ..conftest import Live

NOVAULT = (ALLSAFE_NOVAULT_USERNAME, ALLSAFE_NOVAULT_PASSWORD)


def _allocate(live: Live, body: dict[str, object], auth: tuple[str, str] | None = None) -> httpx.Response:
    if auth is None:
        return live.raw("POST", "/allocate", json=body)
    return live.raw("POST", "/allocate", json=body, auth=auth)


def test_every_allsafe_defect_is_named_and_described() -> None:
    modes = [m for m in DEFECT_MODES if m.startswith("allsafe_")]
    assert len(modes) == 13 and all(DEFECT_MODES[m].startswith("AllSafe ") for m in modes)


def test_stock_not_decremented(live: Live) -> None:
    live.control.set_defect("allsafe_stock_not_decremented")
    assert _allocate(live, {"vendor": "CinemaCo", "value": 120}).status_code == 200
    listed = {(e["vendor"], e["value"]): e["remaining"] for e in live.raw("GET", "/availability").json()}
    assert listed[("CinemaCo", 120)] == 5 and live.control.available("CinemaCo", 120) == 4


def test_empty_availability_500(live: Live) -> None:
    live.control.set_defect("allsafe_empty_availability_500")
    assert live.raw("GET", "/availability", auth=(ALLSAFE_EMPTY_USERNAME, ALLSAFE_EMPTY_PASSWORD)).status_code == 500
    assert live.raw("GET", "/availability").status_code == 200  # a campaign with stock is unaffected


def test_voucher_without_code(live: Live) -> None:
    live.control.set_defect("allsafe_voucher_without_code")
    voucher = _allocate(live, {"vendor": "ExampleMart", "value": 50}).json()
    assert "code" not in voucher and "pin" not in voucher and voucher["id"]
    assert len(live.control.ledger()) == 1  # stock consumed


def test_allocation_not_atomic_only_slows_sequential_allocations_down(live: Live) -> None:
    live.control.set_defect("allsafe_allocation_not_atomic")
    codes = {_allocate(live, {"vendor": "ExampleMart", "value": 50}).json()["code"] for _ in range(2)}
    assert len(codes) == 2  # test_concurrency shows the parallel case


def test_allocation_no_content_allocates_and_answers_204(live: Live) -> None:
    live.control.set_defect("allsafe_allocation_no_content")
    response = _allocate(live, {"vendor": "ExampleMart", "value": 50, "reference": "r-204"})
    assert response.status_code == 204 and response.content == b""
    assert len(live.control.allocations(reference="r-204")) == 1  # stock consumed, no voucher in the answer
    assert live.control.ledger()[0]["http_status"] == 204


def test_the_no_content_switch_answers_one_allocation_like_the_defect(live: Live) -> None:
    live.control.set_switches(allocation_answer="204_no_content")
    assert _allocate(live, {"vendor": "ExampleMart", "value": 50}).status_code == 204
    live.control.set_switches(allocation_answer="200_voucher")
    assert _allocate(live, {"vendor": "ExampleMart", "value": 50}).json()["code"]
    assert len(live.control.allocations()) == 2


def test_availability_wrong_password_accepted_spares_allocation(live: Live) -> None:
    wrong = (ALLSAFE_USERNAME, "wrong")
    live.control.set_defect("allsafe_availability_wrong_password_accepted")
    assert live.raw("GET", "/availability", auth=wrong).status_code == 200
    assert _allocate(live, {"vendor": "ExampleMart", "value": 50}, wrong).status_code == 401
    assert live.raw("GET", "/availability", auth=("nobody", "wrong")).status_code == 401


@pytest.mark.parametrize(("mode", "auth"), [
    ("allsafe_wrong_password_accepted", (ALLSAFE_USERNAME, "wrong")),
    ("allsafe_revoked_integration_allowed", (ALLSAFE_REVOKED_USERNAME, ALLSAFE_REVOKED_PASSWORD)),
    ("allsafe_ended_campaign_allowed", (ALLSAFE_ENDED_USERNAME, ALLSAFE_ENDED_PASSWORD)),
])
def test_401_defects_let_the_caller_through(live: Live, mode: str, auth: tuple[str, str]) -> None:
    assert live.raw("GET", "/availability", auth=auth).status_code == 401
    live.control.set_defect(mode)
    assert live.raw("GET", "/availability", auth=auth).status_code == 200


def test_no_vault_492(live: Live) -> None:
    live.control.set_defect("allsafe_no_vault_492")
    assert live.raw("GET", "/availability", auth=NOVAULT).status_code == 492
    assert _allocate(live, {"vendor": "ExampleMart", "value": 50}, NOVAULT).status_code == 492


def test_unmatched_value_500_spares_a_type_that_ran_out(live: Live) -> None:
    live.control.set_defect("allsafe_unmatched_value_500")
    assert _allocate(live, {"vendor": "ExampleMart", "value": 51}).status_code == 500
    vendor, value = ALLSAFE_SOLD_OUT
    assert _allocate(live, {"vendor": vendor, "value": value}).status_code == 492


def test_invalid_value_accepted(live: Live) -> None:
    live.control.set_defect("allsafe_invalid_value_accepted")
    for value in (0, -5):
        response = _allocate(live, {"vendor": "ExampleMart", "value": value})
        assert response.status_code == 200 and response.json()["vendor"] == "ExampleMart"
    assert _allocate(live, {"vendor": "ExampleMart", "value": "x"}).status_code == 495


def test_unknown_vendor_allocates(live: Live) -> None:
    live.control.set_defect("allsafe_unknown_vendor_allocates")
    voucher = _allocate(live, {"vendor": "Nobody", "value": 50}).json()
    assert voucher["vendor"] == "ExampleMart" and voucher["value"] == 50
