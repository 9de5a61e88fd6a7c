"""The UNIQREWARDS Client API v3 routes (reference §5)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox import _codes as codes
from uatcert.sandbox._auth import Caller, authorize
from uatcert.sandbox._catalogue import CatalogueProduct
from uatcert.sandbox._codes import ApiError
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import FAULT_KEY, JSON, data_response, dumps, reject_json_constant, request_id_of, state_of
from uatcert.sandbox._idempotency import Record, fingerprint
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox._vouchers import Voucher, new_voucher

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_QUANTITY = 20
MAX_BATCH = 20
FACE_VALUE_RANGE = (100, 100_000)
COMMIT_ROUTES = [("POST", re.compile(r"^/v3/products/[^/]+$"))]


def _now() -> datetime:
    return datetime.now(UTC)


# -- catalogue -------------------------------------------------------------------------------------
async def list_products(request: Request) -> Response:
    st = state_of(request)
    authorize(request, "read_catalogue")
    if not st.catalogue.products:
        raise ApiError(codes.CATALOGUE_EMPTY)
    return data_response([p.public() for p in st.catalogue.products])


async def get_product(request: Request) -> Response:
    st = state_of(request)
    authorize(request, "read_catalogue")
    code = request.path_params["code"]
    product = st.catalogue.get(code)
    if product is None:
        if st.defect == "unknown_code_found":
            return data_response(_phantom_product(code))
        raise ApiError(codes.PRODUCT_UNKNOWN, repr(code))
    return data_response(product.public())


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
    st = state_of(request)
    code = request.path_params["code"]
    body = await request.body()
    # Nothing below awaits until the key is marked in flight: check-and-set is atomic on the loop.
    caller = authorize(request, "issue_vouchers", enforce_scope=st.defect != "scope_not_enforced")
    raw_key = request.headers.get("idempotency-key", "").strip()
    if not raw_key and st.defect != "key_optional":
        raise ApiError(codes.KEY_MISSING)
    if raw_key and not UUID_RE.fullmatch(raw_key):
        raise ApiError(codes.KEY_NOT_UUID, repr(raw_key[:80]))
    key = raw_key.lower() or None
    fault: Fault | None = request.scope.get(FAULT_KEY)
    record: Record | None = None
    if key is not None:
        fp = fingerprint("POST", code, body)
        existing = st.idempotency.lookup(caller.client_id, key)
        if existing is None:
            record = st.idempotency.begin(caller.client_id, key, fp)
        elif existing.in_flight:
            raise ApiError(codes.KEY_IN_FLIGHT)
        elif existing.fingerprint == fp and st.defect != "replay_issues_new":
            return Response(
                existing.body, existing.status, media_type=JSON, headers={"Idempotency-Record": existing.created}
            )
        elif existing.fingerprint != fp and st.defect != "mismatch_accepted":
            raise ApiError(codes.KEY_MISMATCH)
    try:
        if fault is not None and fault.spec.kind == "slow_commit":
            await fault.hold(st.cfg.slow_commit_s)
        status, payload = _issue(st, request, caller, code, body, key, fault)
        content = dumps(payload)
        if record is not None:
            st.idempotency.complete(record, status, content)
        return Response(content, status, media_type=JSON)
    finally:
        if record is not None and key is not None:
            st.idempotency.abandon(caller.client_id, key, record)


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
    low, high = (0, 100) if st.defect == "quantity_limit_not_enforced" else (1, MAX_QUANTITY)
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
    return value - value % 100 if st.defect == "face_value_truncated" else value


def _issue(
    st: SandboxState, request: Request, caller: Caller, code: str, body: bytes, key: str | None, fault: Fault | None
) -> tuple[int, dict[str, Any]]:
    payload = _parse_body(body)
    product = st.catalogue.get(code)
    if product is None:
        raise ApiError(codes.PRODUCT_UNKNOWN, repr(code))
    quantity = _quantity(st, payload.get("quantity"))
    face_value = _face_value(st, product, payload.get("face_value"))
    stock = st.stock.get(code)
    if stock is not None and quantity > stock:
        raise ApiError(codes.STOCK, f"asked {quantity}, {stock} left")
    if st.defect == "one_product_fails" and code == _first_fixed_product_based(st):
        raise ApiError(codes.SERVER_ERROR)
    count, status = quantity, 200
    if fault is not None and fault.spec.kind == "partial":
        default = quantity - 1
        count = max(0, min(default if fault.spec.count is None else fault.spec.count, default))
        status = 207
    now = _now()
    vouchers = [new_voucher(product, caller.client_id, face_value, now, st.voucher_codes) for _ in range(count)]
    for voucher in vouchers:
        st.vouchers[voucher.voucher_id] = voucher
    if stock is not None:
        st.stock[code] = stock - count
    if vouchers:
        st.record_issuance(
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


def _first_fixed_product_based(st: SandboxState) -> str | None:
    return next((p.code for p in st.catalogue.products if not p.is_value_based and not p.is_open_value), None)


# -- vouchers --------------------------------------------------------------------------------------
def _voucher_out(st: SandboxState, voucher: Voucher, now: datetime) -> dict[str, Any]:
    if not voucher.product.is_status_available:
        return voucher.snapshot
    view = voucher.view(now)
    if st.defect == "status_not_updated":
        view["status"] = voucher.snapshot["status"]
    return view


def _owned(st: SandboxState, caller: Caller, voucher_id: str) -> Voucher | None:
    voucher = st.vouchers.get(voucher_id.lower())
    return voucher if voucher is not None and voucher.client_id == caller.client_id else None


async def get_voucher(request: Request) -> Response:
    st = state_of(request)
    caller = authorize(request, "read_vouchers")
    voucher_id = request.path_params["id"]
    if not UUID_RE.fullmatch(voucher_id):
        raise ApiError(codes.VOUCHER_ID_MALFORMED, repr(voucher_id[:80]))
    voucher = _owned(st, caller, voucher_id)
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
    if len(ids) > MAX_BATCH and st.defect != "batch_limit_not_enforced":
        raise ApiError(codes.IDS_TOO_MANY, f"got {len(ids)}")
    if len({i.lower() for i in ids}) != len(ids):
        raise ApiError(codes.IDS_NOT_UNIQUE)
    found = [_owned(st, caller, i) for i in ids]
    unknown = [i for i, v in zip(ids, found, strict=True) if v is None]
    if unknown:
        raise ApiError(codes.VOUCHER_UNKNOWN, ", ".join(unknown))
    now = _now()
    return data_response([_voucher_out(st, v, now) for v in found if v is not None])


ROUTES = [
    Route("/v3/products", list_products, methods=["GET"]),
    Route("/v3/products/{code}", get_product, methods=["GET"]),
    Route("/v3/products/{code}", issue_vouchers, methods=["POST"]),
    Route("/v3/vouchers", get_vouchers, methods=["GET"]),
    Route("/v3/vouchers/{id}", get_voucher, methods=["GET"]),
]
