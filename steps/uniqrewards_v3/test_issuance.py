"""ISS-EVERY, ISS-OPEN, ISS-VALID: issuing every product, open values, and refusals of bad requests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import re
from collections.abc import Sequence

import httpx
from pytest_bdd import given, parsers, scenarios, then, when

from steps.common import not_applicable, note
from steps.uniqrewards_v3.common import body_for, face_value_for, issue_path
from uatcert.suite.ahead import Call, plans
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.scenario import IssuanceWitness
from uatcert.suite.wings.v3.picking import choose
from uatcert.suite.wings.v3.target import catalogue, session_client
from uatcert.suite.wings.v3.vouchers import check_issuance, check_issued
from uatcert.v3 import ApiStatusError, Issuance, Product, V3Client, new_idempotency_key

MAX_QUANTITY = 20
"""The largest quantity of one issuance request (reference §10)."""

scenarios(
    "uniqrewards_v3/ISS-EVERY-every-product.feature",
    "uniqrewards_v3/ISS-OPEN-open-value.feature",
    "uniqrewards_v3/ISS-VALID-invalid-requests.feature",
)


def _issue(runtime: SuiteRuntime, client: V3Client, check: Check, product: Product, quantity: int,
           face_value: int | None) -> Issuance:
    with check.conformant("an issuance response"):
        try:
            return runtime.ahead.take(_issue_key(product.code, quantity, face_value),
                                      lambda: client.issue(product.code, quantity, face_value))
        except ApiStatusError as exc:
            check.fail(f"{quantity} voucher(s) issued", f"HTTP {exc.status} {exc.code or ''} {exc.message or ''}")
            raise  # unreachable: fail() raises


ISSUE_EVERY = re.compile(r"the integrator issues (\d+) vouchers of it")
ISSUE_OPEN = re.compile(r"the integrator issues 1 voucher of it with a face value of (\d+) cents")


def _issue_key(code: str, quantity: int, face_value: int | None) -> tuple[str, str, int, int | None]:
    return ("v3.issue", code, quantity, face_value)


def _read_back_key(voucher_id: str) -> tuple[str, str]:
    return ("v3.read-back", voucher_id)


@when(parsers.parse("the integrator issues {quantity:d} vouchers of it"), target_fixture="issuance")
def _(v3_client: V3Client, product: Product, check: Check, suite_runtime: SuiteRuntime, quantity: int) -> Issuance:
    return _issue(suite_runtime, v3_client, check, product, quantity, face_value_for(product))


@when(parsers.parse("the integrator issues 1 voucher of it with a face value of {face_value:d} cents"),
      target_fixture="issuance")
def _(v3_client: V3Client, product: Product, check: Check, suite_runtime: SuiteRuntime, face_value: int) -> Issuance:
    return _issue(suite_runtime, v3_client, check, product, 1, face_value)


def _listed(runtime: SuiteRuntime, code: str) -> Product | None:
    return next((p for p in catalogue(runtime) if p.code == code), None)


@plans("v3", "Product <code> (<kind>) is issued")
def _(runtime: SuiteRuntime, row: dict[str, str], steps: Sequence[str]) -> list[Call]:
    """The issuance and the read-back of each voucher it returns."""
    client, product = session_client(runtime), _listed(runtime, row["code"])
    quantity = next((int(m.group(1)) for m in map(ISSUE_EVERY.fullmatch, steps) if m), None)
    if client is None or product is None or quantity is None:
        return []
    code, face_value = product.code, face_value_for(product)

    def read_backs(issuance: Issuance) -> list[Call]:
        return [Call(_read_back_key(v.voucher_id), functools.partial(client.voucher, v.voucher_id))
                for v in issuance.vouchers]

    return [Call(_issue_key(code, quantity, face_value), lambda: client.issue(code, quantity, face_value),
                 then=read_backs)]


@plans("v3", "Open-value product <code> is issued at <face_value> cents")
def _(runtime: SuiteRuntime, row: dict[str, str], steps: Sequence[str]) -> list[Call]:
    client, product = session_client(runtime), _listed(runtime, row["code"])
    face_value = next((int(m.group(1)) for m in map(ISSUE_OPEN.fullmatch, steps) if m), None)
    if client is None or product is None or face_value is None:
        return []
    code = product.code
    return [Call(_issue_key(code, 1, face_value), lambda: client.issue(code, 1, face_value))]


@then(parsers.re(r"the issuance succeeds with (?P<quantity>\d+) vouchers?"))
def _(issuance: Issuance, check: Check, quantity: str) -> None:
    check.that(issuance.status_code == 200, "a complete issuance (HTTP 200)", f"HTTP {issuance.status_code}")
    check.that(len(issuance.vouchers) == int(quantity), f"{quantity} voucher(s)", f"{len(issuance.vouchers)}")


@then("every voucher belongs to the product and carries the value and currency its flags require")
def _(issuance: Issuance, product: Product, suite_runtime: SuiteRuntime, check: Check) -> None:
    for voucher in issuance.vouchers:
        check_issued(check, suite_runtime, product, voucher, issuance.face_value)
    fixed = product.face_value
    if not product.is_open_value and fixed is not None:
        note("fixed denomination", {"product face_value (undocumented field)": fixed,
                                    "voucher remaining_amount": [v.remaining_amount for v in issuance.vouchers]})


@then("the voucher carries the details of its product and a name showing the amount")
def _(issuance: Issuance, product: Product, suite_runtime: SuiteRuntime, check: Check) -> None:
    check_issuance(check, suite_runtime, product, issuance.vouchers, issuance.face_value)


@then("every voucher expires in the future")
def _(issuance: Issuance, check: Check) -> None:
    now = dt.datetime.now(dt.UTC)
    for voucher in issuance.vouchers:
        check.that(voucher.expiration > now, "an expiration in the future", voucher.expiration.isoformat())


@then("the vouchers have distinct ids and codes")
def _(issuance: Issuance, check: Check) -> None:
    ids = [v.voucher_id for v in issuance.vouchers]
    check.that(len(set(ids)) == len(ids), f"{len(ids)} distinct voucher ids", f"{len(set(ids))} distinct")
    codes = [v.voucher_code for v in issuance.vouchers]
    check.that(len(set(codes)) == len(codes), f"{len(codes)} distinct voucher codes", f"{len(set(codes))} distinct")


@then("every voucher can be read back with the same details")
def _(issuance: Issuance, product: Product, v3_client: V3Client, suite_runtime: SuiteRuntime, check: Check) -> None:
    for issued in issuance.vouchers:
        try:
            with check.conformant("a voucher"):
                read = suite_runtime.ahead.take(_read_back_key(issued.voucher_id),
                                                functools.partial(v3_client.voucher, issued.voucher_id))
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


FACE_VALUE_PROBLEMS = {"a face value of 99 cents": 99, "a face value of 100001 cents": 100001, "no face value": None}
QUANTITY_PROBLEMS = {"a quantity of 0": 0, "a quantity of 21": 21, "no quantity": None}


def _problem_request(product: Product, problem: str) -> tuple[dict[str, str | None], bytes]:
    """(header overrides, body) of an issuance request with one problem; the rest as `product` needs it."""
    body: dict[str, object] = dict(body_for(product, 1))
    if problem in FACE_VALUE_PROBLEMS:
        if not product.is_open_value:
            not_applicable(f"the catalogue holds no open-value product, so the product chosen, {product.code}, is "
                           "fixed-value: there is no face value to get wrong (see ISS-OPEN)")
        body.pop("face_value")
        if FACE_VALUE_PROBLEMS[problem] is not None:
            body["face_value"] = FACE_VALUE_PROBLEMS[problem]
    elif problem in QUANTITY_PROBLEMS:
        body.pop("quantity")
        if QUANTITY_PROBLEMS[problem] is not None:
            body["quantity"] = QUANTITY_PROBLEMS[problem]
    key_problems: dict[str, dict[str, str | None]] = {
        "no idempotency key": {"Idempotency-Key": None},
        "an idempotency key that is not a UUID": {"Idempotency-Key": "retry-42-not-a-uuid"},
    }
    headers = key_problems.get(problem, {})
    content = json.dumps(body).encode()
    if problem == "a body that is not valid JSON":
        content = content[:-1]  # the closing brace left out
    return headers, content


@when(parsers.parse("the integrator sends an issuance request with {problem}"), target_fixture="refusal")
def _(v3_client: V3Client, product: Product, v3_witness: IssuanceWitness, problem: str) -> httpx.Response:
    overrides, content = _problem_request(product, problem)
    headers: dict[str, str] = {"Content-Type": "application/json", "Idempotency-Key": new_idempotency_key()}
    for name, value in overrides.items():
        headers.pop(name, None)
        if value is not None:
            headers[name] = value
    return v3_client.send("POST", issue_path(product.code), headers=headers, content=content)


@given("a product of the catalogue with stock for 20 vouchers", target_fixture="product")
def _(v3_catalogue: list[Product], v3_client: V3Client) -> Product:
    product = choose(v3_catalogue, quantity=MAX_QUANTITY, current=v3_client.products)
    if product is None:
        not_applicable(f"no product of the catalogue has stock left for {MAX_QUANTITY} vouchers")
    assert product is not None
    return product


@dataclasses.dataclass(frozen=True)
class Limited:
    product: Product
    left: int


@given("a product of the catalogue whose stock left can be exceeded within the quantity limit",
       target_fixture="limited")
def _(v3_client: V3Client) -> Limited:
    listed = [p for p in v3_client.products() if p.available_stock is not None and p.available_stock < MAX_QUANTITY]
    note("stock listed (available_stock, undocumented)", {p.code: p.available_stock for p in listed})
    if not listed:
        not_applicable(f"no product lists a stock of fewer than {MAX_QUANTITY} vouchers left (available_stock): "
                       f"asking for more than the stock within the quantity limit of {MAX_QUANTITY} is not "
                       "provable on this catalogue")
    product = min(listed, key=lambda p: p.available_stock or 0)
    assert product.available_stock is not None
    return Limited(product, product.available_stock)


@when("the integrator asks for one voucher more than the stock left", target_fixture="refusal")
def _(v3_client: V3Client, limited: Limited, v3_witness: IssuanceWitness) -> httpx.Response:
    body = body_for(limited.product, limited.left + 1)
    return v3_client.send("POST", issue_path(limited.product.code),
                          headers={"Idempotency-Key": new_idempotency_key()}, json=body)


@then("the stock left is unchanged")
def _(v3_client: V3Client, limited: Limited, check: Check) -> None:
    now = next((p for p in v3_client.products() if p.code == limited.product.code), None)
    left = None if now is None else now.available_stock
    check.that(left == limited.left, f"{limited.left} vouchers of {limited.product.code} left, as before",
               f"{left} left")
