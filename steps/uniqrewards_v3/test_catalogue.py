"""CAT: the catalogue listed and classified, each product retrievable, unknown codes refused."""

from __future__ import annotations

import uuid

import httpx
from pytest_bdd import parsers, scenarios, then, when

from steps.common import note
from uatcert.suite.checks import Check
from uatcert.suite.wings.v3.catalogue import product_kind
from uatcert.v3 import Product, V3Client

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
    missing = [f"{p.code}.{flag}" for p in catalogue for flag in FLAGS if getattr(p, flag) is None]
    check.that(not missing, "every product classified by its documented flags", f"missing {missing}")
    note("catalogue classification", {p.code: product_kind(p) for p in catalogue})


@when(parsers.parse('the integrator retrieves product "{code}" on its own'), target_fixture="fetched_product")
def _(v3_client: V3Client, check: Check, code: str) -> Product:
    with check.conformant("a product"):
        return v3_client.product(code)


@then("the product has the same code and flags as in the catalogue")
def _(fetched_product: Product, v3_catalogue: list[Product], check: Check) -> None:
    listed = next(p for p in v3_catalogue if p.code == fetched_product.code)
    for attribute in ("code", "name", *FLAGS, "is_multiple_use"):
        ours, theirs = getattr(fetched_product, attribute), getattr(listed, attribute)
        check.that(ours == theirs, f"{attribute} = {theirs!r} as in the catalogue", f"{ours!r}")


@when("the integrator retrieves a product code that is not in the catalogue", target_fixture="refusal")
def _(v3_client: V3Client) -> httpx.Response:
    return v3_client.send("GET", f"/products/UATCERTNOSUCH{uuid.uuid4().hex[:8].upper()}")
