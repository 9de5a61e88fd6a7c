"""Check Vouchers (reference §6.1): the body of one batch of refs, and its answer matched to the refs asked."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from uatcert._http.parsing import at
from uatcert.v2._exceptions import ResponseValidationError
from uatcert.v2._models import CheckedVoucher
from uatcert.v2._parsing import BODY, success_data


def check_body(refs: Sequence[str]) -> bytes:
    """The Check Vouchers body asking for `refs`."""
    return json.dumps({"voucher_settlement_refs": list(refs)}, separators=(",", ":")).encode()


def read_checked(response: httpx.Response, body: Any, refs: Sequence[str]) -> dict[str, CheckedVoucher]:
    """The vouchers of a successful answer by the ref asked, whatever order the server used; a ref missing
    from the answer raises `ResponseValidationError`."""
    items = success_data(body, response)
    checked = BODY.validate_list(CheckedVoucher, items, "$.data", response)
    by_ref = {_ref_key(c.voucher_settlement_ref): c for c in checked}
    missing = [ref for ref in refs if _ref_key(ref) not in by_ref]
    if missing:
        raise ResponseValidationError(
            f"{at(response)}: {len(missing)} of {len(refs)} refs asked are missing from the answer",
            errors=[("$.data", f"ref {ref} missing") for ref in missing],
            response=response,
        )
    return {ref: by_ref[_ref_key(ref)] for ref in refs}


def _ref_key(ref: str) -> str:
    """Settlement ref normalised for matching (UUID-shaped refs compare case-independently)."""
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return ref
