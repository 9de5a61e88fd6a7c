"""
A reference integrator system for UNIQREWARDS Client API v2, playing the integrator (plain httpx).

    python v2_system.py ORDER_NUMBER PRODUCT_CODE QUANTITY [FACE_VALUE_DOLLARS]

Environment: UATCERT_CUT_BASE_URL (ends /v2), UATCERT_CUT_TOKEN_URL, UATCERT_CUT_CLIENT_ID,
UATCERT_CUT_CLIENT_SECRET, UATCERT_CUT_X_CLIENT_ID, UATCERT_CUT_X_CLIENT_SECRET. Prints the settlement refs
it obtained, one per line, and exits 0; 1 on a refusal it understood, 2 when the outcome is unknown.

Correct behaviour: one X-Correlation-Id per Request Vouchers call (at most 20 vouchers each), resent with the
identical request after a lost response, a reset or a 500 (ERV1102/ERV1202); 409 and 429 waited out; at most
MAX_ATTEMPTS attempts with an exponential back-off; the token renewed after a 401; other 4xx never resent.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from decimal import Decimal

import httpx

MAX_ATTEMPTS = 5
BACKOFF_S = 0.25
BACKOFF_CAP_S = 0.5
BATCH = 20
PRODUCT_CLASS = "ETX_001"


class Outcome(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class System:
    def __init__(self, bug: str | None) -> None:
        self.bug = bug
        env = os.environ
        self.base = env["UATCERT_CUT_BASE_URL"].rstrip("/")
        self.token_url = env["UATCERT_CUT_TOKEN_URL"]
        self.client = (env["UATCERT_CUT_CLIENT_ID"], env["UATCERT_CUT_CLIENT_SECRET"])
        self.x_client = (env["UATCERT_CUT_X_CLIENT_ID"], env["UATCERT_CUT_X_CLIENT_SECRET"])
        self.http = httpx.Client(timeout=3.0)
        self.token: str | None = None

    def wait(self, seconds: float) -> None:
        if self.bug != "hammer":
            time.sleep(seconds)

    def backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP_S, BACKOFF_S * 2 ** (attempt - 1))

    def get_token(self) -> str:
        if self.token is None:
            response = self.http.post(self.token_url, data={
                "client_id": self.client[0], "client_secret": self.client[1], "grant_type": "client_credentials"})
            if response.status_code != 200:
                raise Outcome(1, f"token refused: HTTP {response.status_code}")
            self.token = str(response.json()["access_token"])
        return self.token

    def request(self, order: str, product: str, quantity: int, dollars: Decimal | None) -> list[str]:
        correlation = None if self.bug == "no-key" else str(uuid.uuid4())
        fields = [f'"manual_quantity": {quantity}', '"distribution_mode": "manual"']
        if dollars is not None:  # an exact decimal in dollars, written as a JSON number
            fields.append(f'"face_value": {int(dollars * 100) if self.bug == "wrong-unit" else dollars}')
        body = "{" + ", ".join(fields) + "}"
        url = f"{self.base}/catalogs/{PRODUCT_CLASS}/product_assets/{order}/products/{product}/vouchers/actions/request"
        renewed = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if attempt > 1 and self.bug == "fresh-key":
                correlation = str(uuid.uuid4())
            if attempt > 1 and self.bug == "changed-body":
                body = body[:-1] + ', "face_value": 10.00}' if "face_value" not in body else body
            headers = {"Authorization": f"Bearer {self.get_token()}", "X-Client-Id": self.x_client[0],
                       "X-Client-Secret": self.x_client[1], "Content-Type": "application/json"}
            if correlation:
                headers["X-Correlation-Id"] = correlation
            try:
                response = self.http.post(url, headers=headers, content=body)
            except httpx.TransportError as exc:
                if self.bug == "give-up":
                    raise Outcome(1, f"request failed ({type(exc).__name__}); try later") from None
                self.wait(self.backoff(attempt))
                continue
            status = response.status_code
            if status == 200:
                return [str(v["voucher_settlement_ref"]) for v in response.json()["data"]]
            if status == 401 and not renewed and self.bug != "stale-token":
                self.token, renewed = None, True
                continue
            if status == 429 or (status == 409 and "IN-PROGRESS" in response.text):
                self.wait(float(response.headers.get("Retry-After", self.backoff(attempt))))
                continue
            if status >= 500:
                if self.bug == "give-up":
                    raise Outcome(1, f"request failed (HTTP {status}); try later")
                self.wait(self.backoff(attempt))
                continue
            if self.bug == "retry-invalid":
                self.wait(self.backoff(attempt))
                continue
            raise Outcome(1, f"request refused: HTTP {status} {response.text[:200]}")
        raise Outcome(2, f"outcome unknown after {MAX_ATTEMPTS} attempts; reconcile X-Correlation-Id {correlation}")


def main(bug: str | None = None) -> None:
    if len(sys.argv) not in (4, 5):
        sys.stderr.write("usage: ORDER_NUMBER PRODUCT_CODE QUANTITY [FACE_VALUE_DOLLARS]\n")
        raise SystemExit(64)
    order, product, quantity = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dollars = Decimal(sys.argv[4]) if len(sys.argv) == 5 else None
    system = System(bug)
    refs: list[str] = []
    try:
        while quantity > 0:
            batch = min(BATCH, quantity)
            refs += system.request(order, product, batch, dollars)
            quantity -= batch
    except Outcome as outcome:
        for ref in refs:
            sys.stdout.write(f"{ref}\n")
        sys.stderr.write(f"{outcome}\n")
        raise SystemExit(outcome.code) from None
    for ref in refs:
        sys.stdout.write(f"{ref}\n")


if __name__ == "__main__":
    main()
