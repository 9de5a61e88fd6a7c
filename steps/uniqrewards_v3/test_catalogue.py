"""CAT: the catalogue listed and classified, the expected products listed, each product retrievable,
unknown codes refused, and the same catalogue at the end of the run as at collection time."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import httpx
from pytest_bdd import parsers, scenarios, then, when

from steps.common import note
from uatcert.suite.ahead import Call, plans
from uatcert.suite.checks import Check
from uatcert.suite.runtime import SuiteRuntime
from uatcert.suite.wings.v3.catalogue import expected, missing, product_kind
from uatcert.suite.wings.v3.target import session_client
from uatcert.v3 import ApiStatusError, Product, V3Client

scenarios("uniqrewards_v3/CAT-catalogue.feature")

FLAGS = ("is_value_based", "is_open_value", "is_status_available")


@when("the integrator retrieves the catalogue", target_fixture="catalogue")
def _(v3_client: V3Client, check: Check) -> list[Product]:
    with check.conformant("a catalogue"):
        return v3_client.products()


@then("the catalogue lists at least one product")
def _(catalogue: list[Product], check: Check) -> None:
    check.that(len(catalogue) > 0, "at least one product", "an empty catalogue")


@then("every product has a unique code and a name")
def _(catalogue: list[Product], check: Check) -> None:
    codes = [p.code for p in catalogue]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    check.that(not duplicates, "unique product codes", f"duplicated: {duplicates}")
    unnamed = [p.code for p in catalogue if not p.name]
    check.that(not unnamed, "a name on every product", f"no name on {unnamed}")


@then("every product states whether it is value based, open value and status available")
def _(catalogue: list[Product], check: Check) -> None:
    missing_flags = [f"{p.code}.{flag}" for p in catalogue for flag in FLAGS if getattr(p, flag) is None]
    check.that(not missing_flags, "every product classified by its documented flags", f"missing {missing_flags}")
    note("catalogue classification", {p.code: product_kind(p) for p in catalogue})


@then("every product the integrator expects to sell is listed")
def _(catalogue: list[Product], suite_runtime: SuiteRuntime, check: Check) -> None:
    wanted = expected(suite_runtime)
    if not wanted:
        note("expected products", "UATCERT_V3__EXPECTED_PRODUCTS is not set: every listed product is certified, "
             "but nothing says the catalogue holds the products the integrator will sell")
        return
    listed = {p.code for p in catalogue}
    absent = [code for code in wanted if code not in listed]
    check.that(not absent, f"every expected product listed ({', '.join(wanted)})",
               f"not listed: {', '.join(absent)}")


@when(parsers.parse('the integrator retrieves product "{code}" on its own'), target_fixture="fetched_product")
def _(v3_client: V3Client, suite_runtime: SuiteRuntime, check: Check, code: str) -> Product:
    if code in missing(suite_runtime):
        check.fail(f"product {code} (expected by the integrator) in the catalogue", "not listed")
    try:
        with check.conformant("a product"):
            return suite_runtime.ahead.take(("v3.product", code), lambda: v3_client.product(code))
    except ApiStatusError as exc:
        check.fail(f"product {code} retrieved (HTTP 200)", f"HTTP {exc.status} {exc.code or ''}")
        raise  # unreachable: fail() raises


@plans("v3", "Product <code> can be retrieved on its own")
def _(runtime: SuiteRuntime, row: dict[str, str], steps: Sequence[str]) -> list[Call]:
    client, code = session_client(runtime), row["code"]
    if client is None or code in missing(runtime):
        return []
    return [Call(("v3.product", code), lambda: client.product(code))]


@then(parsers.parse('the product answered is "{code}" itself, with the name and flags the catalogue lists'))
def _(fetched_product: Product, v3_catalogue: list[Product], check: Check, code: str) -> None:
    listed = next(p for p in v3_catalogue if p.code == code)
    for attribute in ("code", "name", *FLAGS, "is_multiple_use"):
        answered, theirs = getattr(fetched_product, attribute), getattr(listed, attribute)
        check.that(answered == theirs, f"{attribute} = {theirs!r} as listed for {code}", f"{answered!r}")


@when("the integrator retrieves a product code that is not in the catalogue", target_fixture="refusal")
def _(v3_client: V3Client) -> httpx.Response:
    return v3_client.send("GET", f"/products/UATCERTNOSUCH{uuid.uuid4().hex[:8].upper()}")


@when("the integrator retrieves the catalogue once more at the end of the certification",
      target_fixture="catalogue_now")
def _(v3_client: V3Client, check: Check) -> list[Product]:
    with check.conformant("a catalogue"):
        return v3_client.products()


@then("it lists the same products as when the certification started")
def _(catalogue_now: list[Product], v3_catalogue: list[Product], check: Check) -> None:
    before, now = {p.code: p for p in v3_catalogue}, {p.code: p for p in catalogue_now}
    gone, new = sorted(set(before) - set(now)), sorted(set(now) - set(before))
    changed = sorted(c for c in set(before) & set(now) if product_kind(before[c]) != product_kind(now[c]))
    check.that(not gone and not new and not changed,
               "the products listed when the certification started (what the certificate describes)",
               "; ".join(part for part in (f"no longer listed: {', '.join(gone)}" if gone else "",
                                           f"newly listed: {', '.join(new)}" if new else "",
                                           f"flags changed: {', '.join(changed)}" if changed else "") if part))
