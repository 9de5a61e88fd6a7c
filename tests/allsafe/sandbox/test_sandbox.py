"""The AllSafe API of the embedded sandbox, over real sockets on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from uatcert.allsafe import (
    AllSafeAuthenticationError,
    AllSafeClient,
    AllSafeServerError,
    InvalidVendorError,
    NoVaultLinkedError,
    NoVouchersError,
    RateLimitError,
    ReconciliationRequired,
    ValidationFailedError,
)
from uatcert.errors import ConfigError
from uatcert.sandbox import (
    ALLSAFE_EMPTY_PASSWORD,
    ALLSAFE_EMPTY_USERNAME,
    ALLSAFE_ENDED_PASSWORD,
    ALLSAFE_ENDED_USERNAME,
    ALLSAFE_LIVE_PASSWORD,
    ALLSAFE_LIVE_USERNAME,
    ALLSAFE_NOVAULT_PASSWORD,
    ALLSAFE_NOVAULT_USERNAME,
    ALLSAFE_PASSWORD,
    ALLSAFE_PENDING_PASSWORD,
    ALLSAFE_PENDING_USERNAME,
    ALLSAFE_REVOKED_PASSWORD,
    ALLSAFE_REVOKED_USERNAME,
    ALLSAFE_SOLD_OUT,
    ALLSAFE_UNSTOCKED_VENDOR,
    ALLSAFE_USERNAME,
    DEFECT_MODES,
    BackgroundServer,
)
from uatcert.sandbox.allsafe.seed import SEED_FILE, load_seed

from ..conftest import Live

SEEDED_TEST_POOL = [
    {"vendor": "BookNook", "value": 75.5, "remaining": 10},
    {"vendor": "CinemaCo", "value": 120, "remaining": 5},
    {"vendor": "ExampleMart", "value": 50, "remaining": 120},
    {"vendor": "ExampleMart", "value": 100, "remaining": 8},
    {"vendor": "FuelCo", "value": 200, "remaining": 25},
]


# -- seed ------------------------------------------------------------------------------------------
def test_the_seed_constants_are_the_seeded_integrations() -> None:
    seed = load_seed()
    by_name = {i.username: i for i in seed.integrations}
    expected = {
        ALLSAFE_USERNAME: (ALLSAFE_PASSWORD, "Test", "camp-live"),
        ALLSAFE_LIVE_USERNAME: (ALLSAFE_LIVE_PASSWORD, "Live", "camp-live"),
        ALLSAFE_REVOKED_USERNAME: (ALLSAFE_REVOKED_PASSWORD, "Revoked", "camp-live"),
        ALLSAFE_EMPTY_USERNAME: (ALLSAFE_EMPTY_PASSWORD, "Test", "camp-empty"),
        ALLSAFE_NOVAULT_USERNAME: (ALLSAFE_NOVAULT_PASSWORD, "Test", "camp-novault"),
        ALLSAFE_ENDED_USERNAME: (ALLSAFE_ENDED_PASSWORD, "Live", "camp-ended"),
        ALLSAFE_PENDING_USERNAME: (ALLSAFE_PENDING_PASSWORD, "Live", "camp-future"),
    }
    assert {k: (v.password, v.status, v.campaign) for k, v in by_name.items()} == expected
    assert ALLSAFE_UNSTOCKED_VENDOR in seed.vendors


def test_a_bad_seed_file_is_a_clear_config_error(tmp_path: Path) -> None:
    broken = json.loads(SEED_FILE.read_text())
    broken["campaigns"][0]["vaults"] = ["no-such-vault"]
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ConfigError, match="unknown vault"):
        load_seed(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="seed"):
        load_seed(path)


# -- availability ----------------------------------------------------------------------------------
def test_availability_is_sorted_and_leaves_out_empty_and_expired_vouchers(live: Live) -> None:
    response = live.raw("GET", "/availability")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == SEEDED_TEST_POOL  # FuelCo 500 (all handed out) and 2 expired ExampleMart 100 left out
    assert response.headers["x-request-id"]


def test_zero_remaining_types_are_listed_on_request(live: Live) -> None:
    live.control.set_switches(include_zero_remaining=True)
    listed = live.raw("GET", "/availability").json()
    assert {"vendor": "FuelCo", "value": 500, "remaining": 0} in listed


def test_a_live_integration_sees_and_gets_the_live_pool_only(live: Live) -> None:
    listed = live.raw("GET", "/availability", auth=(ALLSAFE_LIVE_USERNAME, ALLSAFE_LIVE_PASSWORD)).json()
    assert listed == [{"vendor": "ExampleMart", "value": 50, "remaining": 5},
                      {"vendor": "ExampleMart", "value": 100, "remaining": 3}]
    voucher = live.client(ALLSAFE_LIVE_USERNAME, ALLSAFE_LIVE_PASSWORD).allocate("ExampleMart", 50).voucher
    assert not voucher.code.startswith("T")  # test vouchers are prefixed T in the sandbox
    assert live.control.available("ExampleMart", 50, pool="live") == 4
    assert live.control.available("ExampleMart", 50, pool="test") == 120
    with pytest.raises(NoVouchersError):
        live.client(ALLSAFE_LIVE_USERNAME, ALLSAFE_LIVE_PASSWORD).allocate("FuelCo", 200)  # only in the test pool


@pytest.mark.parametrize(("mode", "status", "body"), [("204", 204, b""), ("200_empty_array", 200, b"[]"),
                                                      ("492", 492, None)])
def test_a_campaign_with_nothing_left_answers_in_the_configured_form(live: Live, mode: str, status: int,
                                                                     body: bytes | None) -> None:
    live.control.set_switches(availability_empty_mode=mode)
    response = live.raw("GET", "/availability", auth=(ALLSAFE_EMPTY_USERNAME, ALLSAFE_EMPTY_PASSWORD))
    assert response.status_code == status
    if body is not None:
        assert response.content == body
    else:
        assert response.json()["title"] == "No vouchers"


# -- authentication (reference §2 table) -----------------------------------------------------------
@pytest.mark.parametrize("auth", [None, (ALLSAFE_USERNAME, "wrong"), ("nobody", "x"),
                                  (ALLSAFE_REVOKED_USERNAME, ALLSAFE_REVOKED_PASSWORD),
                                  (ALLSAFE_ENDED_USERNAME, ALLSAFE_ENDED_PASSWORD),
                                  (ALLSAFE_PENDING_USERNAME, ALLSAFE_PENDING_PASSWORD)],
                         ids=["missing", "wrong-password", "unknown-user", "revoked", "ended", "live-on-pending"])
@pytest.mark.parametrize("route", ["availability", "allocate"])
def test_every_cause_of_401(live: Live, auth: tuple[str, str] | None, route: str) -> None:
    if route == "availability":
        response = live.raw("GET", "/availability", auth=auth)
    else:
        response = live.raw("POST", "/allocate", auth=auth, json={"vendor": "ExampleMart", "value": 50})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="AllSafe"'
    assert response.json()["title"] == "Unauthorized"
    assert live.control.ledger() == []


def test_a_malformed_basic_header_is_401(live: Live) -> None:
    for header in ("Basic !!!", "Bearer abc", "Basic " + "dXNlcm5hbWU="):  # the last one: no colon
        assert live.raw("GET", "/availability", auth=None, headers={"Authorization": header}).status_code == 401


def test_a_live_integration_on_a_pending_campaign_may_be_let_through(live: Live) -> None:
    live.control.set_switches(live_integration_allowed_when_pending=True)
    response = live.raw("GET", "/availability", auth=(ALLSAFE_PENDING_USERNAME, ALLSAFE_PENDING_PASSWORD))
    assert response.json() == [{"vendor": "FutureMart", "value": 30, "remaining": 5}]


def test_switches_for_the_401_header_and_error_bodies(live: Live) -> None:
    live.control.set_switches(www_authenticate_header=False, error_body="empty")
    response = live.raw("GET", "/availability", auth=(ALLSAFE_USERNAME, "wrong"))
    assert response.status_code == 401 and "www-authenticate" not in response.headers and response.content == b""
    live.control.set_switches(error_body="text")
    response = live.raw("POST", "/allocate", json={"vendor": "Nobody", "value": 5})
    assert response.status_code == 496 and response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("496 Invalid Vendor")


def test_bad_switches_are_refused(live: Live) -> None:
    with pytest.raises(Exception, match="availability_empty_mode"):
        live.control.set_switches(availability_empty_mode="418")


# -- allocation ------------------------------------------------------------------------------------
def test_an_allocation_hands_out_one_voucher_and_records_it(live: Live) -> None:
    response = live.raw("POST", "/allocate", json={"vendor": "ExampleMart", "value": 50.0, "reference": "o-1",
                                                   "extra": "ignored"})
    assert response.status_code == 200
    voucher = response.json()
    assert set(voucher) == {"id", "vendor", "value", "code", "pin", "serialNumber", "expiryDate", "reference"}
    assert (voucher["vendor"], voucher["value"], voucher["reference"]) == ("ExampleMart", 50, "o-1")
    assert voucher["expiryDate"].endswith("+02:00")
    [entry] = live.control.ledger()
    assert (entry["api"], entry["client_id"], entry["idempotency_key"], entry["product_code"], entry["face_value"],
            entry["voucher_ids"], entry["http_status"]) == ("allsafe", ALLSAFE_USERNAME, "o-1", "ExampleMart", 50,
                                                            [voucher["id"]], 200)
    assert entry["request_id"] == response.headers["x-request-id"]
    [allocation] = live.control.allocations(reference="o-1")
    assert allocation["voucher_id"] == voucher["id"] and allocation["campaign"] == "camp-live"
    assert live.raw("GET", "/availability").json()[2] == {"vendor": "ExampleMart", "value": 50, "remaining": 119}
    counters = next(c for c in live.control.info()["campaigns"] if c["id"] == "camp-live")
    assert (counters["interactions"], counters["awarded"]) == (2, 1)


def test_optional_fields_can_be_missing_and_decimal_values_work(live: Live) -> None:
    voucher = live.client().allocate("BookNook", Decimal("75.50")).voucher
    assert voucher.pin is None and voucher.serial_number is None and voucher.value == Decimal("75.5")


def test_the_reference_is_echoed_but_not_deduplicated(live: Live) -> None:
    client = live.client()
    first = client.allocate("ExampleMart", 50, reference="same")
    second = client.allocate("ExampleMart", 50, reference="same")
    assert first.voucher.code != second.voucher.code
    assert len(live.control.ledger(reference="same")) == 2


def test_vouchers_are_handed_out_first_in_first_out_until_none_is_left(live: Live) -> None:
    client = live.client()
    codes = [client.allocate("CinemaCo", 120).voucher.code for _ in range(5)]
    assert len(set(codes)) == 5
    with pytest.raises(NoVouchersError):
        client.allocate("CinemaCo", 120)
    assert "CinemaCo" not in {t.vendor for t in client.availability().types}


@pytest.mark.parametrize(("body", "content_type", "field"), [
    (b"", "application/json", "body"),
    (b"{not json", "application/json", "body"),
    (b"[1, 2]", "application/json", "body"),
    (b'{"vendor": "ExampleMart", "value": 50}', "text/plain", "body"),
    (b'{"value": 50}', "application/json", "vendor"),
    (b'{"vendor": "", "value": 50}', "application/json", "vendor"),
    (b'{"vendor": 7, "value": 50}', "application/json", "vendor"),
    (b'{"vendor": "ExampleMart"}', "application/json", "value"),
    (b'{"vendor": "ExampleMart", "value": "50"}', "application/json", "value"),
    (b'{"vendor": "ExampleMart", "value": true}', "application/json", "value"),
    (b'{"vendor": "ExampleMart", "value": 0}', "application/json", "value"),
    (b'{"vendor": "ExampleMart", "value": -50}', "application/json", "value"),
    (b'{"vendor": "ExampleMart", "value": NaN}', "application/json", "body"),
    (b'{"vendor": "ExampleMart", "value": 50, "reference": 12}', "application/json", "reference"),
])
def test_every_validation_rule_gives_495_with_field_errors(live: Live, body: bytes, content_type: str,
                                                           field: str) -> None:
    response = live.raw("POST", "/allocate", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 495, response.text
    problem = response.json()
    assert problem["title"] == "Validation Failed" and field in problem["errors"]
    assert response.headers["content-type"] == "application/problem+json"


def test_the_refusals_come_in_the_proposed_order(live: Live) -> None:
    """401 -> 495 -> 491 -> 496 -> 492 -> 200."""
    bad_body = {"vendor": "", "value": 50}
    assert live.raw("POST", "/allocate", auth=(ALLSAFE_USERNAME, "x"), json=bad_body).status_code == 401
    novault = (ALLSAFE_NOVAULT_USERNAME, ALLSAFE_NOVAULT_PASSWORD)
    assert live.raw("POST", "/allocate", auth=novault, json=bad_body).status_code == 495
    assert live.raw("POST", "/allocate", auth=novault, json={"vendor": "Nobody", "value": 5}).status_code == 491
    assert live.raw("POST", "/allocate", json={"vendor": "Nobody", "value": 999}).status_code == 496
    assert live.raw("POST", "/allocate", json={"vendor": ALLSAFE_UNSTOCKED_VENDOR, "value": 5}).status_code == 492
    vendor, value = ALLSAFE_SOLD_OUT
    assert live.raw("POST", "/allocate", json={"vendor": vendor, "value": value}).status_code == 492
    assert live.raw("POST", "/allocate", json={"vendor": "ExampleMart", "value": 51}).status_code == 492
    assert live.raw("POST", "/allocate", json={"vendor": "examplemart", "value": 50}).status_code == 496  # exact
    assert live.control.ledger() == []


def test_the_client_surfaces_each_sandbox_refusal_as_its_typed_error(live: Live) -> None:
    client = live.client()
    cases: list[tuple[AllSafeClient, tuple[str, int], type[Exception]]] = [
        (live.client(ALLSAFE_USERNAME, "wrong"), ("ExampleMart", 50), AllSafeAuthenticationError),
        (live.client(ALLSAFE_NOVAULT_USERNAME, ALLSAFE_NOVAULT_PASSWORD), ("ExampleMart", 50), NoVaultLinkedError),
        (client, ALLSAFE_SOLD_OUT, NoVouchersError),
        (client, ("Nobody", 50), InvalidVendorError),
    ]
    for who, (vendor, value), error in cases:
        with pytest.raises(error):
            who.allocate(vendor, value)
    with pytest.raises(NoVaultLinkedError):
        live.client(ALLSAFE_NOVAULT_USERNAME, ALLSAFE_NOVAULT_PASSWORD).availability()
    assert isinstance(client.error_for(client.send("POST", "/allocate", json={"vendor": "X"})),
                      ValidationFailedError)


def test_unknown_routes_and_methods_are_refused(live: Live) -> None:
    assert live.raw("GET", "/allocate").status_code == 405
    assert live.raw("POST", "/allocation", json={}).status_code == 404  # exactly one path is served


def test_the_simulated_docs_page(live: Live) -> None:
    document = live.raw("GET", "/docs").json()
    assert document["x-simulated"] is True
    assert set(document["paths"]) == {"/allsafe/availability", "/allsafe/allocate"}
    assert live.raw("GET", "/openapi.json").json() == document


# -- control API -----------------------------------------------------------------------------------
def test_stock_can_be_set_inspected_and_reset(live: Live) -> None:
    live.control.set_stock("CinemaCo", 120, 2)
    assert live.control.available("CinemaCo", 120) == 2
    live.control.set_stock("NewVendor", 9.5, 3)
    client = live.client()
    assert client.availability().remaining("NewVendor", "9.5") == 3
    client.allocate("NewVendor", 9.5)
    rows = {(r["vendor"], r["value"]): r for r in live.control.stock(username=ALLSAFE_USERNAME) if r["pool"] == "test"}
    assert (rows[("NewVendor", 9.5)]["available"], rows[("NewVendor", 9.5)]["allocated"]) == (2, 1)
    assert rows[("ExampleMart", 100)]["expired"] == 2
    live.control.reset()
    assert live.control.available("CinemaCo", 120) == 5 and live.control.available("NewVendor", 9.5) == 0
    assert live.control.allocations() == [] and live.control.ledger() == []


def test_bad_control_requests_are_refused(live: Live) -> None:
    http = httpx.Client(base_url=f"{live.server.base_url}/__sandbox/allsafe", timeout=5)
    with http:
        assert http.put("/stock", json={"vendor": "X", "value": 0, "count": 1}).status_code == 400
        assert http.put("/stock", json={"vendor": "X", "value": 5, "count": 1, "campaign": "nope"}).status_code == 404
        assert http.put("/stock", json={"vendor": "X", "value": 5, "count": 1, "campaign": "camp-novault"}
                        ).status_code == 400
        assert http.get("/stock", params={"bogus": "1"}).status_code == 400
        assert http.get("/allocations", params={"bogus": "1"}).status_code == 400
        assert http.put("/switches", content=b"[]").status_code == 400


def test_info_lists_integrations_campaign_statuses_and_allsafe_defect_modes(live: Live) -> None:
    info = live.control.info()
    statuses = {c["id"]: c["status"] for c in info["campaigns"]}
    assert statuses == {"camp-live": "Live", "camp-empty": "Live", "camp-novault": "Pending",
                        "camp-ended": "Archived", "camp-future": "Pending"}
    assert set(info["defect_modes"]) == {m for m in DEFECT_MODES if m.startswith("allsafe_")}
    assert info["allocate"] == "POST /allsafe/allocate"


# -- faults (the generic control API applies to AllSafe) -------------------------------------------
def test_commit_then_500_allocates_and_the_client_reconciles(live: Live) -> None:
    live.control.arm_fault("commit_then_500", path="/allocate$")
    with pytest.raises(ReconciliationRequired) as caught:
        live.client().allocate("ExampleMart", 50, reference="fault-500")
    assert caught.value.reason == "server_error" and caught.value.attempts == 1
    assert len(live.control.ledger(reference="fault-500")) == 1
    assert live.control.ledger(reference="fault-500")[0]["fault"] == "commit_then_500"


def test_commit_then_drop_allocates_and_the_client_reconciles(live: Live) -> None:
    live.control.arm_fault("commit_then_drop", path="/allocate$")
    with pytest.raises(ReconciliationRequired) as caught:
        live.client().allocate("ExampleMart", 50, reference="fault-drop")
    assert caught.value.reason == "connection_lost" and caught.value.attempts == 1
    assert len(live.control.ledger(reference="fault-drop")) == 1


def test_fail_before_commit_allocates_nothing(live: Live) -> None:
    live.control.arm_fault("fail_before_commit", path="/allocate$", status=503)
    with pytest.raises(ReconciliationRequired) as caught:
        live.client().allocate("ExampleMart", 50, reference="fault-before")
    assert caught.value.status == 503 and live.control.ledger() == []


def test_availability_retries_through_server_faults_and_rate_limits(live: Live) -> None:
    live.control.arm_fault("fail_before_commit", method="GET", path="/availability$", times=2)
    assert live.client().availability().form == "list"
    live.control.arm_fault("fail_before_commit", method="GET", path="/availability$", times=5)
    with pytest.raises(AllSafeServerError):
        live.client().availability()
    live.control.clear_faults()
    http = httpx.Client(base_url=f"{live.server.base_url}/__sandbox", timeout=5)
    with http:
        armed = http.post("/faults", json={"kind": "rate_limit", "api": "allsafe", "method": "POST",
                                           "path": "/allocate$", "retry_after": 7})
    assert armed.status_code == 201
    with pytest.raises(RateLimitError) as caught:
        live.client().allocate("ExampleMart", 50)
    assert caught.value.retry_after == 7.0


def test_a_lost_response_on_the_client_side_leaves_exactly_one_allocation(live: Live) -> None:
    live.faults.arm("lose_response", method="POST", path="/allocate$")
    with pytest.raises(ReconciliationRequired):
        live.client().allocate("ExampleMart", 50, reference="lost")
    assert len(live.control.ledger(reference="lost")) == 1
    [exchange] = [e for e in live.recorder.exchanges if e.idempotency_key == "lost"]
    assert exchange.outcome == "lost_response" and exchange.status == 200


def test_a_request_lost_before_sending_is_resent_and_allocates_once(live: Live) -> None:
    live.faults.arm("lose_request", method="POST", path="/allocate$")
    allocation = live.client().allocate("ExampleMart", 50, reference="resent")
    assert allocation.attempts == 2 and len(live.control.ledger(reference="resent")) == 1


def test_seeded_passwords_can_be_replaced(start_sandbox: Callable[..., BackgroundServer]) -> None:
    server = start_sandbox(allsafe_passwords={ALLSAFE_USERNAME: "replaced-pw-1"})
    url = f"{server.base_url}/allsafe/availability"
    assert httpx.get(url, auth=(ALLSAFE_USERNAME, "replaced-pw-1")).status_code in (200, 204)
    assert httpx.get(url, auth=(ALLSAFE_USERNAME, ALLSAFE_PASSWORD)).status_code == 401
    with pytest.raises(ConfigError, match="no seeded AllSafe integration nobody"):
        start_sandbox(allsafe_passwords={"nobody": "x"})
