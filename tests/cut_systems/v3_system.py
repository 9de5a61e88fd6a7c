"""
A reference integrator system for UNIQREWARDS Client API v3, playing the integrator (plain httpx).

    python v3_system.py PRODUCT QUANTITY [FACE_VALUE_CENTS]

Environment: UATCERT_CUT_BASE_URL (ends /v3), UATCERT_CUT_TOKEN_URL, UATCERT_CUT_CLIENT_ID,
UATCERT_CUT_CLIENT_SECRET. Prints the voucher ids it obtained, one per line, and exits 0; exits 1 on a
refusal it understood, 2 when the outcome is unknown (the key is printed to stderr for reconciliation).

Correct behaviour: one UUID Idempotency-Key per logical issuance (at most 20 vouchers each), kept with the
request and resent unchanged after a lost response, a reset or a 5xx; 409 and 429 waited out (Retry-After
honoured); at most MAX_ATTEMPTS attempts spaced by an exponential back-off; the token renewed after a 401;
any other 4xx reported, never resent. `main(bug=...)` switches one classic defect on (see BUGS).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import uuid

import httpx

MAX_ATTEMPTS = 5
TIMEOUT_S = 2.0
BACKOFF_S = 0.25
BACKOFF_CAP_S = 0.5
BATCH = 20
SCOPES = ("issue_vouchers", "read_catalogue", "read_vouchers")
BUGS = {
    "fresh-key": "a new Idempotency-Key on every retry",
    "give-up": "gives up (try later) after a lost response, a reset or a 5xx",
    "hammer": "retries at once, ignoring Retry-After and any back-off",
    "no-key": "never sends an Idempotency-Key",
    "changed-body": "rebuilds the body on a retry (adds the nominal face value)",
    "wrong-unit": "sends the face value in dollars instead of cents",
    "stale-token": "keeps its token after a 401 and fails",
    "retry-invalid": "resends a request refused as invalid (any 4xx) unchanged",
}


class Outcome(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class System:
    def __init__(self, bug: str | None) -> None:
        self.bug = bug
        self.base = os.environ["UATCERT_CUT_BASE_URL"].rstrip("/")
        self.token_url = os.environ["UATCERT_CUT_TOKEN_URL"]
        self.client_id = os.environ["UATCERT_CUT_CLIENT_ID"]
        self.secret = os.environ["UATCERT_CUT_CLIENT_SECRET"]
        self.http = httpx.Client(timeout=TIMEOUT_S)
        self.token: str | None = None

    def wait(self, seconds: float) -> None:
        if self.bug != "hammer":
            time.sleep(seconds)

    def backoff(self, attempt: int) -> float:
        return min(BACKOFF_CAP_S, BACKOFF_S * 2 ** (attempt - 1))

    def get_token(self) -> str:
        if self.token is None:
            basic = base64.b64encode(f"{self.client_id}:{self.secret}".encode()).decode()
            scope = " ".join(f"client_v3_uat/{s}" for s in SCOPES)
            response = self.http.post(self.token_url, headers={"Authorization": f"Basic {basic}"},
                                      data={"grant_type": "client_credentials", "scope": scope})
            if response.status_code != 200:
                raise Outcome(1, f"token refused: HTTP {response.status_code}")
            self.token = str(response.json()["access_token"])
        return self.token

    def issue(self, product: str, quantity: int, face_value_cents: int | None) -> list[str]:
        key = None if self.bug == "no-key" else str(uuid.uuid4())
        body: dict[str, object] = {"quantity": quantity}
        if face_value_cents is not None:
            body["face_value"] = face_value_cents / 100 if self.bug == "wrong-unit" else face_value_cents
        renewed = False
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if attempt > 1 and self.bug == "fresh-key":
                key = str(uuid.uuid4())
            if attempt > 1 and self.bug == "changed-body":
                body = {**body, "face_value": 1000}
            headers = {"Authorization": f"Bearer {self.get_token()}", "Content-Type": "application/json"}
            if key:
                headers["Idempotency-Key"] = key
            try:
                response = self.http.post(f"{self.base}/products/{product}", headers=headers,
                                          content=json.dumps(body))
            except httpx.TransportError as exc:
                if self.bug == "give-up":
                    raise Outcome(1, f"issuance failed ({type(exc).__name__}); try later") from None
                self.wait(self.backoff(attempt))
                continue
            status = response.status_code
            if status == 200:
                return [str(v["voucher_id"]) for v in response.json()["data"]]
            if status == 401 and not renewed and self.bug != "stale-token":
                self.token, renewed = None, True
                continue
            if status in (409, 429):
                self.wait(float(response.headers.get("Retry-After", self.backoff(attempt))))
                continue
            if status >= 500:
                if self.bug == "give-up":
                    raise Outcome(1, f"issuance failed (HTTP {status}); try later")
                self.wait(self.backoff(attempt))
                continue
            if self.bug == "retry-invalid":
                self.wait(self.backoff(attempt))
                continue
            raise Outcome(1, f"issuance refused: HTTP {status} {response.text[:200]}")
        raise Outcome(2, f"outcome unknown after {MAX_ATTEMPTS} attempts; reconcile key {key}")


def main(bug: str | None = None) -> None:
    if len(sys.argv) not in (3, 4):
        sys.stderr.write("usage: PRODUCT QUANTITY [FACE_VALUE_CENTS]\n")
        raise SystemExit(64)
    product, quantity = sys.argv[1], int(sys.argv[2])
    face_value = int(sys.argv[3]) if len(sys.argv) == 4 else None
    system = System(bug)
    ids: list[str] = []
    try:
        while quantity > 0:
            batch = min(BATCH, quantity)
            ids += system.issue(product, batch, face_value)
            quantity -= batch
    except Outcome as outcome:
        for voucher_id in ids:
            sys.stdout.write(f"{voucher_id}\n")
        sys.stderr.write(f"{outcome}\n")
        raise SystemExit(outcome.code) from None
    for voucher_id in ids:
        sys.stdout.write(f"{voucher_id}\n")


if __name__ == "__main__":
    main()
