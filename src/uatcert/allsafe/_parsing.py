"""
Reading AllSafe bodies: where the payload sits (`BODY`, a shared `BodyReader`).

The envelope is UNDOCUMENTED: a list is accepted bare or under `data`, `items`, `availability`,
`voucherTypes`, `vouchers` or `results`; an object bare or under `data`, `voucher`, `allocation` or
`result`. Field paths in errors never show the offending value (it may be a voucher code).
"""

from __future__ import annotations

from uatcert._http.parsing import BodyReader
from uatcert.allsafe._exceptions import ResponseValidationError

BODY = BodyReader(
    ResponseValidationError,
    list_keys=("data", "items", "availability", "voucherTypes", "vouchers", "results"),
    object_keys=("data", "voucher", "allocation", "result"),
    items="voucher types",
)
"""How AllSafe success bodies are read (`BODY.read_list(VoucherType, response)`, ...)."""
