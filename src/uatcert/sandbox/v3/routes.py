"""The UNIQREWARDS Client API v3 routes (reference §5); defect modes from `defects`, answers from `codes`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._errors import ApiError
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, JSON, data_response, dumps, reject_json_constant, request_id_of, state_of
from uatcert.sandbox._idempotency import Record
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox.v3 import codes, defective
from uatcert.sandbox.v3 import defects as d
from uatcert.sandbox.v3.auth import Caller, authorize
from uatcert.sandbox.v3.catalogue import CatalogueProduct
from uatcert.sandbox.v3.state import V3State, v3_of
from uatcert.sandbox.v3.vouchers import Voucher, new_voucher

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_QUANTITY = 20
MAX_BATCH = 20
FACE_VALUE_RANGE = (100, 100_000)


def _now() -> datetime:
    return datetime.now(UTC)


# -- catalogue -------------------------------------------------------------------------------------
async def list_products(request: Request) -> Response:
    st, v3 = state_of(request), v3_of(request)
    authorize(request, "read_catalogue")
    if not v3.catalogue.products:
        raise ApiError(codes.CATALOGUE_EMPTY)
    return data_response([p.public(v3.stock.get(p.code)) for p in defective.listed(st, v3)])


async def get_product(request: Request) -> Response:
    st, v3 = state_of(request), v3_of(request)
    authorize(request, "read_catalogue")
    code = request.path_params["code"]
    product = v3.catalogue.get(code)
    if product is None:
        if st.defective(d.UNKNOWN_CODE_FOUND):
            return data_response(_phantom_product(code))
        raise ApiError(codes.PRODUCT_UNKNOWN, repr(code))
    answered = defective.looked_up(st, v3, product)
    return data_response(answered.public(v3.stock.get(answered.code)))


def _phantom_product(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"$10 {code} Voucher",
        "description": "",
        "currency": "SGD",
        "face_value": 1000,
        "is_value_based": True,
        "is_open_value": False,
        "is_status_available": True,
        "is_multiple_use": False,
    }


# -- issuance --------------------------------------------------------------------------------------
async def issue_vouchers(request: Request) -> Response:
    """POST /products/{code}; checks in the reference's order, first failure wins."""
    st, v3 = state_of(request), v3_of(request)
    code = request.path_params["code"]
    body = await request.body()
    # Nothing below awaits until the key is marked in flight: check-and-set is atomic on the loop.
    caller = authorize(request, "issue_vouchers", enforce_scope=not st.defective(d.SCOPE_NOT_ENFORCED))
    raw_key = request.headers.get("idempotency-key", "").strip()
    if not raw_key and not st.defective(d.KEY_OPTIONAL):
        raise ApiError(codes.KEY_MISSING)
    if raw_key and not UUID_RE.fullmatch(raw_key):
        raise ApiError(codes.KEY_NOT_UUID, repr(raw_key[:80]))
    key = raw_key.lower() or None
    fault: Fault | None = request.scope.get(FAULT_KEY)
    record: Record | None = None
    if key is not None:
        fp = defective.request_fingerprint(st, code, body)
        existing = v3.idempotency.lookup(caller.client_id, key)
        if existing is None:
            record = v3.idempotency.begin(caller.client_id, key, fp)
        elif existing.in_flight:
            raise ApiError(codes.KEY_IN_FLIGHT)
        elif existing.fingerprint == fp and not st.defective(d.REPLAY_ISSUES_NEW):
            return Response(
                defective.recoded_replay(st, v3, existing.body), existing.status, media_type=JSON,
                headers={"Idempotency-Record": existing.created},
            )
        elif existing.fingerprint != fp and not st.defective(d.MISMATCH_ACCEPTED):
            raise ApiError(codes.KEY_MISMATCH)
    try:
        if fault is not None and fault.spec.kind == "slow_commit":
            await fault.hold(st.cfg.slow_commit_s)
        replayed = defective.body_replayed(st, v3, caller.client_id, code, body)
        if replayed is not None:
            status, content = replayed
        else:
            status, payload = _issue(st, v3, request, caller, code, body, key, fault)
            content = dumps(payload)
            defective.remember_issuance(v3, caller.client_id, code, body, status, content, len(payload["data"]))
        if record is not None:
            v3.idempotency.complete(record, status, content)
        return Response(content, status, media_type=JSON)
    finally:
        if record is not None and key is not None:
            v3.idempotency.abandon(caller.client_id, key, record)


def _parse_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        obj = json.loads(body, parse_constant=reject_json_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError(codes.BAD_BODY, f"invalid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise ApiError(codes.BAD_BODY, "the body must be a JSON object")
    for name in ("quantity", "face_value"):
        value = obj.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ApiError(codes.BAD_BODY, f"{name} must be a JSON number, got {type(value).__name__}")
    return obj


def _quantity(st: SandboxState, value: Any) -> int:
    if value is None:
        raise ApiError(codes.QUANTITY, "quantity is missing")
    low, high = (0, 100) if st.defective(d.QUANTITY_LIMIT_NOT_ENFORCED) else (1, MAX_QUANTITY)
    if not isinstance(value, int) or not low <= value <= high:
        raise ApiError(codes.QUANTITY, f"got {value!r}")
    return value


def _face_value(st: SandboxState, product: CatalogueProduct, value: Any) -> int | None:
    if not product.is_open_value:
        return None
    low, high = FACE_VALUE_RANGE
    if value is None:
        raise ApiError(codes.FACE_VALUE, "face_value is missing")
    if not isinstance(value, int) or not low <= value <= high:
        raise ApiError(codes.FACE_VALUE, f"got {value!r}")
    return value - value % 100 if st.defective(d.FACE_VALUE_TRUNCATED) else value


def _issue(
    st: SandboxState, v3: V3State, request: Request, caller: Caller, code: str, body: bytes, key: str | None,
    fault: Fault | None,
) -> tuple[int, dict[str, Any]]:
    payload = _parse_body(body)
    product = v3.catalogue.get(code)
    if product is None:
        raise ApiError(codes.PRODUCT_UNKNOWN, repr(code))
    quantity = _quantity(st, payload.get("quantity"))
    face_value = _face_value(st, product, payload.get("face_value"))
    stock = v3.stock.get(code)
    if defective.stock_exceeded(st, quantity, stock):
        raise ApiError(codes.STOCK, f"asked {quantity}, {stock} left")
    if st.defective(d.ONE_PRODUCT_FAILS) and code == _first_fixed_product_based(v3):
        raise ApiError(codes.SERVER_ERROR)
    count, status = defective.issued_quantity(st, quantity), 200
    if fault is not None and fault.spec.kind == "partial":
        default = quantity - 1
        count = max(0, min(default if fault.spec.count is None else fault.spec.count, default))
        status = 207
    now = _now()
    vouchers = [new_voucher(product, caller.client_id, face_value, now, v3.voucher_codes) for _ in range(count)]
    for voucher in vouchers:
        v3.vouchers[voucher.voucher_id] = voucher
    defective.alter_new_vouchers(st, v3, product, vouchers)
    if stock is not None:
        v3.stock[code] = max(0, stock - count)
    if vouchers:
        st.ledger.record(
            api="v3",
            client_id=caller.client_id,
            idempotency_key=key,
            product_code=code,
            quantity=quantity,
            face_value=face_value,
            voucher_ids=[v.voucher_id for v in vouchers],
            http_status=status,
            request_id=request_id_of(request),
            fault=None if fault is None else fault.spec.kind,
        )
    result: dict[str, Any] = {"data": [v.snapshot for v in vouchers]}
    if status == 207:
        result["error"] = {
            "code": codes.PARTIAL.code,
            "message": f"{codes.PARTIAL.message}: {count} of {quantity} issued",
        }
    return status, result


def _first_fixed_product_based(v3: V3State) -> str | None:
    return next((p.code for p in v3.catalogue.products if not p.is_value_based and not p.is_open_value), None)


# -- vouchers --------------------------------------------------------------------------------------
def _voucher_out(st: SandboxState, voucher: Voucher, now: datetime, *, batch: bool = False) -> dict[str, Any]:
    if not voucher.product.is_status_available:
        return defective.read_view(st, voucher, voucher.snapshot, batch=batch)
    view = voucher.view(now)
    if st.defective(d.STATUS_NOT_UPDATED):
        view["status"] = voucher.snapshot["status"]
    return defective.read_view(st, voucher, view, batch=batch)


def _owned(v3: V3State, caller: Caller, voucher_id: str) -> Voucher | None:
    voucher = v3.vouchers.get(voucher_id.lower())
    return voucher if voucher is not None and voucher.client_id == caller.client_id else None


async def get_voucher(request: Request) -> Response:
    st = state_of(request)
    caller = authorize(request, "read_vouchers")
    voucher_id = request.path_params["id"]
    if not UUID_RE.fullmatch(voucher_id):
        raise ApiError(codes.VOUCHER_ID_MALFORMED, repr(voucher_id[:80]))
    voucher = _owned(v3_of(request), caller, voucher_id)
    if voucher is None:
        raise ApiError(codes.VOUCHER_UNKNOWN, voucher_id)
    return data_response(_voucher_out(st, voucher, _now()))


async def get_vouchers(request: Request) -> Response:
    st = state_of(request)
    caller = authorize(request, "read_vouchers")
    raw = ",".join(request.query_params.getlist("id"))
    if not raw.strip():
        raise ApiError(codes.IDS_MISSING)
    ids = raw.split(",")
    if not all(UUID_RE.fullmatch(i) for i in ids):
        raise ApiError(codes.IDS_NOT_UUIDS)
    if len(ids) > MAX_BATCH and not st.defective(d.BATCH_LIMIT_NOT_ENFORCED):
        raise ApiError(codes.IDS_TOO_MANY, f"got {len(ids)}")
    if len({i.lower() for i in ids}) != len(ids):
        raise ApiError(codes.IDS_NOT_UNIQUE)
    found = [_owned(v3_of(request), caller, i) for i in ids]
    unknown = [i for i, v in zip(ids, found, strict=True) if v is None]
    if unknown:
        raise ApiError(codes.VOUCHER_UNKNOWN, ", ".join(unknown))
    now = _now()
    return data_response([_voucher_out(st, v, now, batch=True) for v in found if v is not None])


async def product_resource(request: Request) -> Response:
    """`/products/{code}`: one route for both methods, so a 405 lists them all in `Allow`."""
    return await (get_product(request) if request.method in ("GET", "HEAD") else issue_vouchers(request))


ROUTES = [
    Route("/v3/products", list_products, methods=["GET"]),
    Route("/v3/products/{code:path}", product_resource, methods=["GET", "POST"]),  # a code may hold "/" (%2F)
    Route("/v3/vouchers", get_vouchers, methods=["GET"]),
    Route("/v3/vouchers/{id}", get_voucher, methods=["GET"]),
]
