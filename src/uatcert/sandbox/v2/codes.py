"""The v2 answers: every HTTP status and code v2 answers with (`SIM-` codes are invented, UNDOCUMENTED), and
the `failed` envelope (reference §5.6)."""

from __future__ import annotations

import dataclasses
from typing import Any

from starlette.responses import Response

from uatcert.sandbox._http import JSON, dumps


@dataclasses.dataclass(frozen=True)
class V2Code:
    """An HTTP status, the v2 error code and its default text. `SIM-` codes are invented (UNDOCUMENTED)."""

    status: int
    code: str
    text: str


_RECOVER = "vouchers may exist: recover with the same X-Correlation-Id"
ERV1102 = V2Code(500, "ERV1102", f"internal failure or timeout during issuance; {_RECOVER}")
ERV1202 = V2Code(500, "ERV1202", f"internal failure during issuance; {_RECOVER}")
AUTH_TOKEN = V2Code(401, "SIM-AUTH-TOKEN", "missing, malformed, unknown or expired bearer token")
AUTH_CLIENT = V2Code(401, "SIM-AUTH-CLIENT", "X-Client-Id or X-Client-Secret missing or wrong")
AUTH_MISMATCH = V2Code(403, "SIM-AUTH-MISMATCH", "the token and the X-Client-Id belong to different clients")
CLASS = V2Code(404, "SIM-CLASS", "unknown product class (it is ETX_001)")
PRODUCT = V2Code(404, "SIM-PRODUCT", "product code not in this client's catalogue")
ORDER = V2Code(404, "SIM-ORDER", "order number unknown or not the one of this product")
QUANTITY = V2Code(400, "SIM-QTY", "manual_quantity must be an integer from 1 to 20")
DISTRIBUTION = V2Code(400, "SIM-DIST", "distribution_mode must be \"manual\"")
FV_REQUIRED = V2Code(400, "SIM-FV-REQUIRED", "face_value is required for a dynamic value-based product")
FV_RANGE = V2Code(400, "SIM-FV-RANGE", "face_value must be from 1 to 1000 (SGD)")
FV_PRECISION = V2Code(400, "SIM-FV-PRECISION", "face_value has more than two decimals")
FV_TYPE = V2Code(400, "SIM-FV-TYPE", "face_value must be a number of SGD")
BODY = V2Code(400, "SIM-BODY", "the body must be a JSON object")
STOCK = V2Code(400, "SIM-STOCK", "manual_quantity exceeds the product's remaining stock")
CORRELATION_FORMAT = V2Code(400, "SIM-CORRELATION-FORMAT", "X-Correlation-Id must be 1-128 printable ASCII chars")
CORRELATION_CONFLICT = V2Code(409, "SIM-CORRELATION-CONFLICT", "X-Correlation-Id already used with a different request")
CORRELATION_IN_PROGRESS = V2Code(409, "SIM-CORRELATION-IN-PROGRESS", "this X-Correlation-Id is still in progress")
REFS_EMPTY = V2Code(400, "SIM-REFS-EMPTY", "voucher_settlement_refs must not be empty")
REFS_COUNT = V2Code(400, "SIM-REFS-COUNT", "voucher_settlement_refs holds at most 20 refs")
REF_NOT_FOUND = V2Code(404, "SIM-REF-NOT-FOUND", "voucher settlement ref not found")
ROUTE = V2Code(404, "SIM-ROUTE", "no such resource")
METHOD = V2Code(405, "SIM-METHOD", "method not allowed on this resource")
RATE_LIMITED = V2Code(429, "SIM-RATE-LIMIT", "too many requests; retry after the Retry-After delay")
SERVER_ERROR = V2Code(500, "SIM-ERROR", "internal server error")
V2_CODES: tuple[V2Code, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, V2Code))


class V2Failure(Exception):
    """Raised by a v2 handler: answered as a `failed` envelope with one message per `details` entry."""

    def __init__(self, code: V2Code, *details: str) -> None:
        super().__init__(code.code)
        self.code = code
        self.details = details or ("",)


def failed_body(code: V2Code, *details: str) -> dict[str, Any]:
    texts = [f"{code.text}: {d}" if d else code.text for d in (details or ("",))]
    return {"meta": {"status": "failed", "messages": [{"code": code.code, "level": "error", "text": t} for t in texts]}}


def envelope(data: list[dict[str, Any]]) -> bytes:
    return dumps({"meta": {"status": "succeeded"}, "data": data})


def failure_response(failure: V2Failure, correlation_id: str | None) -> Response:
    headers = {"X-Correlation-Id": correlation_id} if correlation_id else None
    return Response(dumps(failed_body(failure.code, *failure.details)), failure.code.status, media_type=JSON,
                    headers=headers)
