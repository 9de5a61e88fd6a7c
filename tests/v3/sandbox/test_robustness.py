"""Junk input never produces a 5xx or a non-JSON body; idempotency records expire after the retention."""

from __future__ import annotations

import uuid

import pytest

from tests.v3.sandbox.sandbox_support import Api
from uatcert.sandbox import _idempotency

JUNK_BODIES = [b"", b"{", b"[]", b"null", b"\xff\xfe", b"[" * 5000, b'{"quantity": 1' + b"9" * 5000 + b"}"]
ROUTES = [
    ("POST", "/v3/products/MAMVDDMMYY01"),
    ("POST", "/v3/products/%00"),
    ("GET", "/v3/products/%C3%A9"),
    ("GET", "/v3/vouchers?id=%00,,"),
    ("GET", "/v3/vouchers/" + "a" * 2000),
    ("POST", "/oauth2/token"),
    ("POST", "/__sandbox/faults"),
    ("PUT", "/__sandbox/defect"),
    ("GET", "/__sandbox/ledger?api=%00"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_junk_never_gives_a_5xx(api: Api, method: str, path: str) -> None:
    token = api.token()
    for body in JUNK_BODIES:
        for headers in ({}, {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}):
            response = api.http.request(method, api.srv.base_url + path, content=body, headers=headers)
            assert response.status_code < 500, (body[:20], response.text)
            assert isinstance(response.json(), dict)
    assert api.ctl.faults() == [] and api.ctl.ledger() == []


def test_records_expire_after_the_retention(monkeypatch: pytest.MonkeyPatch) -> None:
    store = _idempotency.IdempotencyStore(retention_s=60)
    clock = [1000.0]
    monkeypatch.setattr(_idempotency.time, "monotonic", lambda: clock[0])
    held = store.begin("client", "held", "fp")
    record = store.begin("client", "key", "fp")  # retention counts from the first use
    store.complete(record, 200, b"{}")
    clock[0] += 59
    assert store.lookup("client", "key") is record
    clock[0] += 2
    assert store.lookup("client", "key") is None
    assert store.lookup("client", "held") is held  # in flight: never expires
    forever = _idempotency.IdempotencyStore(retention_s=0)
    forever.complete(forever.begin("client", "key", "fp"), 200, b"{}")
    clock[0] += 10**9
    assert forever.lookup("client", "key") is not None
