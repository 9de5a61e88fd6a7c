"""The generic control API under /__sandbox/: reset, faults, voucher actions, ledger, defect, tokens.
JSON, no auth. Each API adds its own control routes (`v3/control.py`: info and stock; `v2`, `allsafe`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from uatcert.sandbox._faults import FAULT_KINDS, FaultSpec
from uatcert.sandbox._http import data_response, json_response, state_of
from uatcert.sandbox._modes import DEFECT_MODES

PREFIX = "/__sandbox"


class _VoucherAction(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    action: Literal["use", "redeem", "void", "expire", "activate"]
    amount: int | None = Field(default=None, ge=1)


class _Defect(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    mode: str | None


def bad_request(message: str, status: int = 400) -> Response:
    """A control API error answer (also used by the per-API control routes)."""
    return json_response({"error": {"code": f"control-{status}", "message": message}}, status)


def _problems(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


async def json_object(request: Request) -> dict[str, Any] | Response:
    """The request body as a JSON object ({} when empty), or the error answer to return."""
    body = await request.body()
    try:
        obj = json.loads(body) if body.strip() else {}
    except (ValueError, RecursionError) as exc:
        return bad_request(f"body is not valid JSON: {exc}")
    if not isinstance(obj, dict):
        return bad_request("body must be a JSON object")
    return obj


async def reset(request: Request) -> Response:
    state_of(request).reset()
    return data_response({"reset": True})


async def arm_fault(request: Request) -> Response:
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        spec = FaultSpec.model_validate(obj, context={"apis": state_of(request).faults.apis})
    except ValidationError as exc:
        return bad_request(f"bad fault: {_problems(exc)} (kinds: {', '.join(FAULT_KINDS)})")
    fault = state_of(request).faults.arm(spec)
    return data_response(fault.as_dict(), 201)


async def list_faults(request: Request) -> Response:
    return data_response([f.as_dict() for f in state_of(request).faults.all()])


async def clear_faults(request: Request) -> Response:
    state_of(request).faults.clear()
    return data_response([])


async def voucher_action(request: Request) -> Response:
    voucher = state_of(request).voucher(request.path_params["id"])
    if voucher is None:
        return bad_request(f"no voucher with id {request.path_params['id']!r}", 404)
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        action = _VoucherAction.model_validate(obj)
    except ValidationError as exc:
        return bad_request(f"bad voucher action: {_problems(exc)}")
    now = datetime.now(UTC)
    try:
        voucher.apply(action.action, action.amount, now)
    except ValueError as exc:
        return bad_request(str(exc))
    return data_response(voucher.control_view(now))


async def ledger(request: Request) -> Response:
    params = request.query_params
    unknown = set(params) - {"api", "idempotency_key", "product_code"}
    if unknown:
        return bad_request(f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    entries = state_of(request).ledger.entries
    if api := params.get("api"):
        entries = [e for e in entries if e["api"] == api]
    if key := params.get("idempotency_key"):
        entries = [e for e in entries if (e["idempotency_key"] or "") == key.lower()]
    if code := params.get("product_code"):
        entries = [e for e in entries if e["product_code"] == code]
    return data_response(entries)


async def set_defect(request: Request) -> Response:
    obj = await json_object(request)
    if isinstance(obj, Response):
        return obj
    try:
        mode = _Defect.model_validate(obj).mode
    except ValidationError as exc:
        return bad_request(f'bad defect body (want {{"mode": <name> or null}}): {_problems(exc)}')
    if mode is not None and mode not in DEFECT_MODES:
        return bad_request(f"unknown defect mode {mode!r}; choose one of: {', '.join(DEFECT_MODES)}")
    state_of(request).defect = mode
    return data_response({"mode": mode})


async def expire_tokens(request: Request) -> Response:
    return data_response({"expired": state_of(request).signer.expire_all()})


ROUTES = [
    Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    Route(f"{PREFIX}/faults", arm_fault, methods=["POST"]),
    Route(f"{PREFIX}/faults", list_faults, methods=["GET"]),
    Route(f"{PREFIX}/faults", clear_faults, methods=["DELETE"]),
    Route(f"{PREFIX}/vouchers/{{id}}", voucher_action, methods=["POST"]),
    Route(f"{PREFIX}/ledger", ledger, methods=["GET"]),
    Route(f"{PREFIX}/defect", set_defect, methods=["PUT"]),
    Route(f"{PREFIX}/tokens/expire", expire_tokens, methods=["POST"]),
]
