"""
The AllSafe Redemption API routes (reference `allsafe-api.md`), under `/allsafe`:

    GET  /allsafe/availability     the caller's campaign's voucher types with what is left (DOC path)
    POST /allsafe/allocate         allocate one voucher {"vendor", "value", "reference"} (proposed, §3.2)
    GET  /allsafe/docs             the simulated OpenAPI document of the proposed contract (`openapi.py`)

Allocations go to the shared ledger (`api: "allsafe"`); faults address them with `api: "allsafe"`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._config import ALLSAFE_PREFIX
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, dumps, json_response, reject_json_constant, request_id_of, state_of
from uatcert.sandbox.allsafe import defects as d
from uatcert.sandbox.allsafe.codes import TITLES, Refusal, number
from uatcert.sandbox.allsafe.seed import SeedCampaign, SeedIntegration
from uatcert.sandbox.allsafe.state import SAST, AllSafeWorld, world_of


def refusal_response(world: AllSafeWorld, refusal: Refusal) -> Response:
    """An error answer in the form the `error_body` switch asks for (UNDOCUMENTED body, reference §4.3)."""
    headers: dict[str, str] = {}
    if refusal.status == 401 and world.switches.www_authenticate_header:
        headers["WWW-Authenticate"] = 'Basic realm="AllSafe"'
    title = TITLES.get(refusal.status, "Error")
    mode = world.switches.error_body
    if mode == "empty":
        return Response(b"", refusal.status, headers=headers)
    if mode == "text":
        return Response(f"{refusal.status} {title}: {refusal.detail}", refusal.status, headers=headers,
                        media_type="text/plain")
    body: dict[str, Any] = {"status": refusal.status, "title": title, "detail": refusal.detail}
    if refusal.errors:
        body["errors"] = refusal.errors
    return Response(dumps(body), refusal.status, headers=headers, media_type="application/problem+json")


def _authenticated(
    request: Request, *, availability: bool = False
) -> tuple[AllSafeWorld, SeedIntegration, SeedCampaign]:
    world = world_of(request)
    integration, campaign = world.authenticate(request.headers.get("authorization", ""), state_of(request).defective,
                                               availability=availability)
    return world, integration, campaign


async def availability(request: Request) -> Response:
    """GET /availability: 401 -> 491 -> 200 list / nothing available (204 by default)."""
    world = world_of(request)
    st = state_of(request)
    try:
        world, integration, campaign = _authenticated(request, availability=True)
        if not campaign.vaults:
            if st.defective(d.NO_VAULT_492):
                raise Refusal(492, "no vouchers available")
            raise Refusal(491, f"campaign {campaign.name or campaign.id!r} has no linked vault")
        now = dt.datetime.now(SAST)
        counts = world.types(campaign, integration.status != "Live", now,
                             count_api_allocations=st.defective(d.STOCK_NOT_DECREMENTED))
        if not any(counts.values()):
            if st.defective(d.EMPTY_AVAILABILITY_500):
                raise Refusal(500, "availability failed for a campaign with nothing left")
            mode = world.switches.availability_empty_mode
            if mode == "204":
                return Response(status_code=204)
            if mode == "200_empty_array":
                return json_response([])
            raise Refusal(492, "no vouchers available in the campaign's vaults")
    except Refusal as refusal:
        return refusal_response(world, refusal)
    entries = [
        {"vendor": vendor, "value": number(value), "remaining": remaining}
        for (vendor, value), remaining in sorted(counts.items())
        if remaining > 0 or world.switches.include_zero_remaining
    ]
    return json_response(entries)


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def parse_allocation(content_type: str, body: bytes, *, accept_non_positive: bool) -> tuple[str, Decimal, str | None]:
    """vendor, value, reference of an allocate request; Refusal(495) with field errors (reference §3.2)."""
    if not _is_json(content_type):
        raise Refusal(495, "the request body must be JSON (Content-Type: application/json)",
                      {"body": ["must be application/json"]})
    if not body.strip():
        raise Refusal(495, "the request body is empty", {"body": ["is required"]})
    try:
        obj = json.loads(body, parse_constant=reject_json_constant)
    except (ValueError, RecursionError):
        raise Refusal(495, "the request body is not valid JSON", {"body": ["is not valid JSON"]}) from None
    if not isinstance(obj, dict):
        raise Refusal(495, "the request body must be a JSON object", {"body": ["must be a JSON object"]})
    errors: dict[str, list[str]] = {}
    vendor = obj.get("vendor")
    if vendor is None:
        errors["vendor"] = ["is required"]
    elif not isinstance(vendor, str):
        errors["vendor"] = ["must be a string"]
    elif not vendor.strip():
        errors["vendor"] = ["must not be empty"]
    raw_value = obj.get("value")
    value: Decimal | None = None
    if raw_value is None:
        errors["value"] = ["is required"]
    elif isinstance(raw_value, bool) or not isinstance(raw_value, int | float) or not math.isfinite(raw_value):
        errors["value"] = ["must be a number"]
    else:
        value = Decimal(str(raw_value)) if isinstance(raw_value, float) else Decimal(raw_value)
        if value <= 0 and not accept_non_positive:
            errors["value"] = ["must be greater than 0"]
    reference = obj.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors["reference"] = ["must be a string"]
    if errors:
        raise Refusal(495, "the request failed validation", errors)
    assert isinstance(vendor, str) and value is not None
    return vendor, value, reference if isinstance(reference, str) else None


async def allocate(request: Request) -> Response:
    """POST /allocate: 401 -> 495 -> 491 -> 496 -> 492 -> 200, one voucher, atomically (204 under the switch)."""
    st = state_of(request)
    world = world_of(request)
    body = await request.body()
    try:
        world, integration, campaign = _authenticated(request)
        content_type = request.headers.get("content-type", "")
        lenient = st.defective(d.INVALID_VALUE_ACCEPTED)
        vendor, value, reference = parse_allocation(content_type, body, accept_non_positive=lenient)
        if not campaign.vaults:
            if st.defective(d.NO_VAULT_492):
                raise Refusal(492, f"no vouchers available for vendor {vendor!r} value {number(value)}")
            raise Refusal(491, f"campaign {campaign.name or campaign.id!r} has no linked vault")
        test = integration.status != "Live"
        now = dt.datetime.now(SAST)
        wanted_vendor: str | None = vendor
        wanted_value: Decimal | None = value
        if vendor not in world.vendors:
            if not st.defective(d.UNKNOWN_VENDOR_ALLOCATES):
                raise Refusal(496, f"vendor {vendor!r} is not known")
            wanted_vendor = None
        if value <= 0:  # only under allsafe_invalid_value_accepted
            wanted_value = None
        voucher = world.pick(campaign, test, wanted_vendor, wanted_value, now)
        if voucher is None and wanted_vendor is None:
            voucher = world.pick(campaign, test, None, None, now)
        if voucher is None:
            if st.defective(d.UNMATCHED_VALUE_500) and not world.holds(campaign, test, vendor, value):
                raise Refusal(500, "allocation failed")
            raise Refusal(492, f"no vouchers available for vendor {vendor!r} value {number(value)}")
    except Refusal as refusal:
        return refusal_response(world, refusal)
    if st.defective(d.ALLOCATION_NOT_ATOMIC):
        await world.overlap()  # the defect: a concurrent allocation picks the same voucher meanwhile
    voucher.state, voucher.by_api = "allocated", True
    world.counters[campaign.id].awarded += 1
    fault: Fault | None = request.scope.get(FAULT_KEY)
    request_id = request_id_of(request)
    no_content = st.defective(d.ALLOCATION_NO_CONTENT) or world.switches.allocation_answer == "204_no_content"
    world.allocations.append({
        "seq": len(world.allocations) + 1, "voucher_id": voucher.id, "vendor": voucher.vendor,
        "value": number(voucher.value), "reference": reference, "username": integration.username,
        "campaign": campaign.id, "pool": "test" if voucher.test else "live", "request_id": request_id,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
    })
    st.ledger.record(
        api="allsafe",
        client_id=integration.username,
        idempotency_key=reference,
        product_code=voucher.vendor,
        quantity=1,
        face_value=number(voucher.value),
        voucher_ids=[voucher.id],
        http_status=204 if no_content else 200,
        request_id=request_id,
        fault=None if fault is None else fault.spec.kind,
        campaign=campaign.id,
        reference=reference,
    )
    if no_content:
        return Response(status_code=204)
    payload = voucher.public(reference, with_code=not st.defective(d.VOUCHER_WITHOUT_CODE))
    return json_response(payload)


ROUTES = [
    Route(f"{ALLSAFE_PREFIX}/availability", availability, methods=["GET"]),
    Route(f"{ALLSAFE_PREFIX}/allocate", allocate, methods=["POST"]),
]
