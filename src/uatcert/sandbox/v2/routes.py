"""
The UNIQREWARDS Client API v2 routes (reference `uniqrewards-api-v2.md`): Request Vouchers and Check Vouchers
under `/v2/`, with the reference's proposals for every UNDOCUMENTED point (the token endpoint: `auth.py`; the
request bodies: `bodies.py`).

Issuances go to the shared ledger (`api: "v2"`); faults address v2 requests with `api: "v2"`. A voucher belongs
to the X-Client-Id that issued it: no other client sees it, and v3 callers never do.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._config import SandboxV2Credentials
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, JSON, request_id_of, state_of
from uatcert.sandbox._idempotency import Record
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox._vouchers import new_links
from uatcert.sandbox.v2 import codes as c
from uatcert.sandbox.v2 import defects as d
from uatcert.sandbox.v2.auth import authenticate, token_endpoint
from uatcert.sandbox.v2.bodies import face_value_of, fingerprint, loads
from uatcert.sandbox.v2.catalogue import V2Product, phantom_product
from uatcert.sandbox.v2.codes import V2Failure, envelope, failure_response
from uatcert.sandbox.v2.control import PREFIX, PRODUCT_CLASS, TOKEN_PATH
from uatcert.sandbox.v2.state import V2State, V2Voucher, v2_of
from uatcert.sandbox.v2.views import checked_view, issued_view

MAX_QUANTITY = 20
CAPPED_QUANTITY = 10
"""What `v2_quantity_capped` issues at most."""
MAX_REFS = 20
_CORRELATION_ID = re.compile(r"^[\x20-\x7e]{1,128}$")


async def request_vouchers(request: Request) -> Response:
    """POST /v2/catalogs/{class}/product_assets/{order}/products/{code}/vouchers/actions/request."""
    st, v2 = state_of(request), v2_of(request)
    params = request.path_params
    body = await request.body()
    raw_key = request.headers.get("x-correlation-id")
    echo = raw_key if raw_key else str(uuid.uuid4())
    try:
        # Between the last lookup and `begin` nothing awaits: check-and-set is atomic on the event loop.
        client = authenticate(request)
        if params["product_class"] != PRODUCT_CLASS:
            raise V2Failure(c.CLASS, repr(params["product_class"]))
        if raw_key is not None and not _CORRELATION_ID.match(raw_key):
            raise V2Failure(c.CORRELATION_FORMAT)
        owner = client.x_client_id
        fp = fingerprint(params["product_class"], params["order_number"], params["product_code"], body)
        record: Record | None = None
        earlier: list[str] = []
        if raw_key:
            existing = v2.idempotency.lookup(owner, raw_key)
            deadline = time.monotonic() + v2.cfg.v2_correlation_wait_s
            while existing is not None and existing.in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # the first attempt is running: wait for its outcome (§9.3)
                existing = v2.idempotency.lookup(owner, raw_key)
            if existing is not None and existing.in_flight:
                raise V2Failure(c.CORRELATION_IN_PROGRESS)
            if existing is not None and existing.fingerprint != fp:
                stored = json.loads(existing.body)
                if not (st.defective(d.MISMATCH_REPLAYS) and stored["complete"]):
                    raise V2Failure(c.CORRELATION_CONFLICT)
                return _replay(st, v2, stored["refs"], echo)
            if existing is not None and not st.defective(d.REPLAY_ISSUES_NEW):
                stored = json.loads(existing.body)
                if stored["complete"]:
                    return _replay(st, v2, stored["refs"], echo)
                existing.in_flight = True  # partial: issue the missing vouchers under the same record
                record, earlier = existing, list(stored["refs"])
            elif existing is None:
                last = v2.last_issue.get(owner)
                if st.defective(d.IDENTICAL_BODY_REPLAYS) and last and last[0] == fp and v2.unchanged(last[1]):
                    return _replay(st, v2, last[1], echo)
                record = v2.idempotency.begin(owner, raw_key, fp)
    except V2Failure as failure:
        return failure_response(failure, echo)
    fault: Fault | None = request.scope.get(FAULT_KEY)
    try:
        if fault is not None and fault.spec.kind == "slow_commit":
            await fault.hold(st.cfg.slow_commit_s)
        try:
            refs, complete = _issue(st, v2, request, client, body, raw_key, earlier, fault)
        except V2Failure as failure:
            return failure_response(failure, echo)
        if record is not None:
            v2.idempotency.complete(record, 200, json.dumps({"refs": refs, "complete": complete}).encode())
        if complete:
            v2.last_issue[client.x_client_id] = (fp, refs)
        if not complete:
            detail = f"{len(refs)} of the vouchers were issued before the failure"
            return failure_response(V2Failure(c.ERV1202, detail), echo)
        return Response(envelope([issued_view(v2.vouchers[r]) for r in refs]), 200, media_type=JSON,
                        headers={"X-Correlation-Id": echo})
    finally:
        if record is not None and raw_key:
            if earlier:
                record.in_flight = False  # a failed continuation keeps the vouchers issued before
            else:
                v2.idempotency.abandon(owner, raw_key, record)


def _replay(st: SandboxState, v2: V2State, refs: list[str], echo: str) -> Response:
    """The vouchers of the first issuance, as they were issued, in the same order."""
    data = [issued_view(v2.vouchers[r]) for r in refs if r in v2.vouchers]
    if st.defective(d.REPLAY_NEW_LINKS):
        for view in data:
            _, view["edenred_url"], view["view_code"] = new_links()
    return Response(envelope(data), 200, media_type=JSON, headers={"X-Correlation-Id": echo})


def _issue(
    st: SandboxState, v2: V2State, request: Request, client: SandboxV2Credentials, body: bytes, key: str | None,
    earlier: list[str], fault: Fault | None,
) -> tuple[list[str], bool]:
    """Validate and issue; (settlement refs, complete). Validation order: body, product, order, fields."""
    params = request.path_params
    try:
        payload = loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise V2Failure(c.BODY, f"invalid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise V2Failure(c.BODY)
    code = params["product_code"]
    known = v2.catalogue.get(code)
    product: V2Product
    if known is None:
        if not st.defective(d.UNKNOWN_PRODUCT_ISSUED):
            raise V2Failure(c.PRODUCT, repr(code))
        product = phantom_product(code, params["order_number"])
    else:
        if params["order_number"] != known.order_number:
            raise V2Failure(c.ORDER, repr(params["order_number"]))
        product = known
    quantity = payload.get("manual_quantity")
    low, high = (0, 100) if st.defective(d.QUANTITY_LIMIT_NOT_ENFORCED) else (1, MAX_QUANTITY)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= high:
        raise V2Failure(c.QUANTITY, f"got {quantity!r}")
    mode = payload.get("distribution_mode", "manual")
    if mode != "manual":
        raise V2Failure(c.DISTRIBUTION, f"got {mode!r}")
    face_value = face_value_of(payload, product)
    cents = None
    if face_value is not None:
        cents = int(face_value.to_integral_value()) if st.defective(d.FACE_VALUE_AS_CENTS) else int(face_value * 100)
        cents = max(cents, 1)
    missing = quantity - len(earlier)
    if product.stock is not None:
        left = product.stock - v2.issued(code)
        if missing > left:
            raise V2Failure(c.STOCK, f"asked {missing}, {left} left")
    if st.defective(d.ONE_PRODUCT_FAILS) and code == next(
        (p.code for p in v2.catalogue.products if p.product_type == "product-based"), None
    ):
        raise V2Failure(c.ERV1202, "nothing was issued")
    count = missing
    capped = st.defective(d.QUANTITY_CAPPED) and count > CAPPED_QUANTITY
    if capped:
        count = CAPPED_QUANTITY
    if fault is not None and fault.spec.kind == "partial" and not earlier:
        default = missing - 1
        count = max(0, min(default if fault.spec.count is None else fault.spec.count, default))
    now = datetime.now(UTC)
    named = not (st.defective(d.NAME_WITHOUT_AMOUNT) and quantity > 1)
    vouchers = [v2.new_voucher(product, client.x_client_id, cents, now, named=named) for _ in range(count)]
    _misnumber(st, v2, product, vouchers)
    if vouchers:
        st.ledger.record(
            api="v2",
            client_id=client.x_client_id,
            idempotency_key=key,
            product_code=code,
            order_number=params["order_number"],
            quantity=quantity,
            face_value=None if cents is None else f"{Decimal(cents) / 100:.2f}",
            voucher_ids=[v.settlement_ref for v in vouchers],
            http_status=200 if count == missing else 500,
            request_id=request_id_of(request),
            fault=None if fault is None else fault.spec.kind,
        )
    refs = earlier + [v.settlement_ref for v in vouchers]
    return refs, count == missing or capped


def _misnumber(st: SandboxState, v2: V2State, product: V2Product, vouchers: list[V2Voucher]) -> None:
    """The defect modes on voucher_ref: the previous voucher's reused, or none on convertible products."""
    if vouchers and st.defective(d.VOUCHER_REF_REUSED) and v2.last_voucher_ref:
        vouchers[0].voucher_ref = v2.last_voucher_ref
    if vouchers:
        v2.last_voucher_ref = vouchers[-1].voucher_ref
    if st.defective(d.EMPTY_VOUCHER_REF) and product.product_type == "convertible":
        for voucher in vouchers:
            voucher.voucher_ref = ""


async def check_vouchers(request: Request) -> Response:
    """POST /v2/catalogs/{class}/vouchers/actions/check: statuses in the order asked, all or nothing."""
    st, v2 = state_of(request), v2_of(request)
    body = await request.body()
    echo = request.headers.get("x-correlation-id")
    try:
        client = authenticate(request)
        if request.path_params["product_class"] != PRODUCT_CLASS:
            raise V2Failure(c.CLASS, repr(request.path_params["product_class"]))
        try:
            payload = loads(body) if body.strip() else None
        except (ValueError, RecursionError) as exc:
            raise V2Failure(c.BODY, f"invalid JSON ({exc})") from None
        refs = payload.get("voucher_settlement_refs") if isinstance(payload, dict) else None
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise V2Failure(c.BODY, "voucher_settlement_refs must be an array of strings")
        if not refs:
            raise V2Failure(c.REFS_EMPTY)
        if len(refs) > MAX_REFS:
            raise V2Failure(c.REFS_COUNT, f"got {len(refs)}")
        found = [v2.vouchers.get(r.lower()) for r in refs]
        unknown = [r for r, v in zip(refs, found, strict=True) if v is None or v.owner != client.x_client_id]
        if unknown:
            raise V2Failure(c.REF_NOT_FOUND, *unknown)
    except V2Failure as failure:
        return failure_response(failure, echo)
    now = datetime.now(UTC)
    as_issued = st.defective(d.STATUS_NOT_UPDATED)
    data = [checked_view(v, now, status_as_issued=as_issued) for v in found if v is not None]
    for entry in data:
        if st.defective(d.CHECK_INACTIVE_AS_ACTIVE) and entry["status"] == "Inactive":
            entry["status"] = "Active"
        if st.defective(d.CHECK_VALUE_TRUNCATED) and isinstance(entry["remaining_value"], float):
            entry["remaining_value"] = int(entry["remaining_value"])
    return Response(envelope(data), 200, media_type=JSON)


ROUTES = [
    Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
    Route(f"{PREFIX}/catalogs/{{product_class}}/product_assets/{{order_number}}/products/{{product_code}}"
          "/vouchers/actions/request", request_vouchers, methods=["POST"]),
    Route(f"{PREFIX}/catalogs/{{product_class}}/vouchers/actions/check", check_vouchers, methods=["POST"]),
]


