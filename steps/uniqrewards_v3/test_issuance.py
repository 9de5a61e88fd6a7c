"""ISS-EVERY, ISS-OPEN, ISS-VALID: issuing every product, open values, and refusals of bad requests."""

from __future__ import annotations

import datetime as dt
import json

import httpx
from pytest_bdd import parsers, scenarios, then, when

from steps.common import note
from steps.uniqrewards_v3.common import face_value_for
from uatcert.suite.checks import Check
from uatcert.suite.scenario import IssuanceWitness
from uatcert.v3 import ApiStatusError, Issuance, Product, V3Client, new_idempotency_key

scenarios(
    "uniqrewards_v3/ISS-EVERY-every-product.feature",
    "uniqrewards_v3/ISS-OPEN-open-value.feature",
    "uniqrewards_v3/ISS-VALID-invalid-requests.feature",
)


def _issue(client: V3Client, check: Check, product: Product, quantity: int, face_value: int | None) -> Issuance:
    with check.conformant("an issuance response"):
        try:
            return client.issue(product.code, quantity, face_value)
        except ApiStatusError as exc:
            check.fail(f"{quantity} voucher(s) issued", f"HTTP {exc.status} {exc.code or ''} {exc.message or ''}")
            raise  # unreachable: fail() raises


@when(parsers.parse("the integrator issues {quantity:d} vouchers of it"), target_fixture="issuance")
def _(v3_client: V3Client, product: Product, check: Check, quantity: int) -> Issuance:
    return _issue(v3_client, check, product, quantity, face_value_for(product))


@when(parsers.parse("the integrator issues 1 voucher of it with a face value of {face_value:d} cents"),
      target_fixture="issuance")
def _(v3_client: V3Client, product: Product, check: Check, face_value: int) -> Issuance:
    return _issue(v3_client, check, product, 1, face_value)


@then(parsers.re(r"the issuance succeeds with (?P<quantity>\d+) vouchers?"))
def _(issuance: Issuance, check: Check, quantity: str) -> None:
    check.that(issuance.status_code == 200, "a complete issuance (HTTP 200)", f"HTTP {issuance.status_code}")
    check.that(len(issuance.vouchers) == int(quantity), f"{quantity} voucher(s)", f"{len(issuance.vouchers)}")


@then("every voucher belongs to the product and carries the value and currency its flags require")
def _(issuance: Issuance, product: Product, check: Check) -> None:
    currency = "SGD" if product.is_value_based else ""
    for voucher in issuance.vouchers:
        check.that(voucher.product_code == product.code, f"product_code {product.code}", voucher.product_code)
        check.that(voucher.is_value_based == product.is_value_based,
                   f"is_value_based {product.is_value_based}", voucher.is_value_based)
        check.that(voucher.currency == currency, f"currency {currency!r}", repr(voucher.currency))
        check.that(voucher.remaining_amount > 0, "a positive remaining_amount", voucher.remaining_amount)
        if product.is_open_value and issuance.face_value is not None:
            check.that(voucher.remaining_amount == issuance.face_value,
                       f"remaining_amount {issuance.face_value} cents (the face value asked)", voucher.remaining_amount)
    fixed = getattr(product, "face_value", None)
    if not product.is_open_value and fixed is not None:
        note("fixed denomination", {"product face_value (undocumented field)": fixed,
                                    "voucher remaining_amount": [v.remaining_amount for v in issuance.vouchers]})


@then("every voucher expires in the future")
def _(issuance: Issuance, check: Check) -> None:
    now = dt.datetime.now(dt.UTC)
    for voucher in issuance.vouchers:
        check.that(voucher.expiration > now, "an expiration in the future", voucher.expiration.isoformat())


@then("the voucher ids are unique")
def _(issuance: Issuance, check: Check) -> None:
    ids = [v.voucher_id for v in issuance.vouchers]
    check.that(len(set(ids)) == len(ids), "unique voucher ids", ids)


@then("every voucher can be read back with the same details")
def _(issuance: Issuance, product: Product, v3_client: V3Client, check: Check) -> None:
    for issued in issuance.vouchers:
        try:
            with check.conformant("a voucher"):
                read = v3_client.voucher(issued.voucher_id)
        except ApiStatusError as exc:
            if product.is_status_available is False and exc.status < 500:
                note("read-back refused", f"status not available for {product.code}: HTTP {exc.status}")
                continue
            check.fail("the voucher read back (HTTP 200)", f"HTTP {exc.status} {exc.code or ''}")
            raise
        for attribute in ("voucher_id", "voucher_code", "product_code", "currency", "expiration"):
            check.that(getattr(read, attribute) == getattr(issued, attribute),
                       f"{attribute} as issued", f"{attribute} differs")


@then(parsers.parse("the voucher is worth {face_value:d} cents in SGD"))
def _(issuance: Issuance, check: Check, face_value: int) -> None:
    voucher = issuance.vouchers[0]
    check.that(voucher.remaining_amount == face_value, f"remaining_amount {face_value}", voucher.remaining_amount)
    check.that(voucher.currency == "SGD", "currency SGD", repr(voucher.currency))


PROBLEMS: dict[str, tuple[dict[str, object] | None, dict[str, str | None], bytes | None]] = {
    # problem: (json body, or None for the raw content; header overrides; raw content)
    "a face value of 99 cents": ({"quantity": 1, "face_value": 99}, {}, None),
    "a face value of 100001 cents": ({"quantity": 1, "face_value": 100001}, {}, None),
    "no face value": ({"quantity": 1}, {}, None),
    "a quantity of 0": ({"quantity": 0, "face_value": 5000}, {}, None),
    "a quantity of 21": ({"quantity": 21, "face_value": 5000}, {}, None),
    "no quantity": ({"face_value": 5000}, {}, None),
    "no idempotency key": ({"quantity": 1, "face_value": 5000}, {"Idempotency-Key": None}, None),
    "an idempotency key that is not a UUID": ({"quantity": 1, "face_value": 5000},
                                              {"Idempotency-Key": "retry-42-not-a-uuid"}, None),
    "a body that is not valid JSON": (None, {}, b'{"quantity": 1, "face_value": 5000'),
}


@when(parsers.parse("the integrator sends an issuance request with {problem}"), target_fixture="refusal")
def _(v3_client: V3Client, product: Product, v3_witness: IssuanceWitness, problem: str) -> httpx.Response:
    body, header_overrides, raw = PROBLEMS[problem]
    headers: dict[str, str] = {"Content-Type": "application/json"}
    key: str | None = new_idempotency_key()
    if "Idempotency-Key" in header_overrides:
        key = header_overrides["Idempotency-Key"]
    if key is not None:
        headers["Idempotency-Key"] = key
    content = raw if raw is not None else json.dumps(body).encode()
    return v3_client.send("POST", f"/products/{product.code}", headers=headers, content=content)
