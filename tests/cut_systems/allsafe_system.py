"""
A reference integrator system for the AllSafe Redemption API, playing the integrator (plain httpx).

    python allsafe_system.py VENDOR VALUE

Environment: UATCERT_CUT_BASE_URL (the root of /availability and /allocate), UATCERT_CUT_USERNAME,
UATCERT_CUT_PASSWORD. Allocates one voucher (the proposed `POST /allocate`); prints the code's last 4
characters and exits 0; exits 1 on a refusal it understood (401, 491, 492, 495, 496), 2 when the outcome is
unknown (lost response, reset after sending, 5xx, 204, a 2xx without a code): reconciliation, never a retry.
A 429 is waited out (the request was refused, nothing allocated); a connection refused is retried.
"""

from __future__ import annotations

import os
import sys
import time
import uuid

import httpx

MAX_ATTEMPTS = 3
REFUSALS = {401: "authentication failure", 491: "no vault linked", 492: "no vouchers", 495: "validation failed",
            496: "invalid vendor"}


class Outcome(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def allocate(bug: str | None, vendor: str, value: str) -> str:
    base = os.environ["UATCERT_CUT_BASE_URL"].rstrip("/")
    auth = (os.environ["UATCERT_CUT_USERNAME"], os.environ["UATCERT_CUT_PASSWORD"])
    number = float(value) if "." in value else int(value)
    body = {"vendor": vendor, "value": number, "reference": f"order-{uuid.uuid4().hex[:12]}"}
    with httpx.Client(timeout=3.0, auth=auth) as http:
        for _attempt in range(MAX_ATTEMPTS):
            try:
                response = http.post(f"{base}/allocate", json=body)
            except httpx.ConnectError:
                time.sleep(0.25)  # never reached the server: safe to try again
                continue
            except httpx.TransportError as exc:
                if bug == "realloc":
                    time.sleep(0.25)
                    continue
                raise Outcome(2, f"allocation {body['reference']}: outcome unknown ({type(exc).__name__}); "
                                 "reconcile in the portal") from None
            status = response.status_code
            if status == 200 and isinstance(response.json(), dict) and response.json().get("code"):
                return str(response.json()["id" if bug == "reports-id" else "code"])
            if status in REFUSALS:
                if (bug == "retry-refusal" and status != 401) or (bug == "ignore-401" and status == 401):
                    time.sleep(0.25)
                    continue
                raise Outcome(1, f"refused: {status} {REFUSALS[status]}")
            if status == 429:
                time.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if status >= 500 or 200 <= status < 300:
                if bug == "realloc":
                    time.sleep(0.25)
                    continue
                raise Outcome(2, f"allocation {body['reference']}: outcome unknown (HTTP {status}); "
                                 "reconcile in the portal")
            raise Outcome(1, f"refused: HTTP {status}")
    raise Outcome(2 if bug == "realloc" else 1, f"gave up after {MAX_ATTEMPTS} attempts")


def main(bug: str | None = None) -> None:
    if len(sys.argv) != 3:
        sys.stderr.write("usage: VENDOR VALUE\n")
        raise SystemExit(64)
    try:
        code = allocate(bug, sys.argv[1], sys.argv[2])
    except Outcome as outcome:
        sys.stderr.write(f"{outcome}\n")
        raise SystemExit(outcome.code) from None
    sys.stdout.write(f"{code[-4:]}\n")


if __name__ == "__main__":
    main()
