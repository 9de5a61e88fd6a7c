"""The client-under-test judges on hand-built proxy records: each judge passes a correct recording and fails
the recording of the defect it exists for."""

from __future__ import annotations

import dataclasses
import json
import uuid
from decimal import Decimal
from typing import Any

import pytest

from uatcert.events import Exchange
from uatcert.suite.wings.cut import allsafe_judges as als
from uatcert.suite.wings.cut import judges
from uatcert.suite.wings.cut.judges import V2, V3
from uatcert.suite.wings.cut.records import SystemRun

V3_ISSUE = "http://up/v3/products/MAMVDDMMYY01"
V2_ISSUE = "http://up/v2/catalogs/ETX_001/product_assets/202112172914/products/MAMVDDMMYY01/vouchers/actions/request"
ALLOCATE = "http://up/allsafe/allocate"


@dataclasses.dataclass(frozen=True)
class Rec:
    seq: int
    api: str
    operation: str
    received_at: float
    exchange: Exchange
    fault: str | None = None
    delivered_status: int | None = None
    delivered_headers: dict[str, str] = dataclasses.field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.exchange.request_body) if self.exchange.request_body else None


def rec(seq: int, at: float, *, url: str = V3_ISSUE, operation: str = "issue", key: str | None = None,
        body: str = '{"quantity": 2}', status: int | None = 200, answer: Any = None, fault: str | None = None,
        delivered: int | None | str = "same", retry_after: str | None = None, token: str = "t1",
        api: str = "v3", duration: float = 0.01) -> Rec:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key" if api == "v3" else "X-Correlation-Id"] = key
    outcome = "lost_response" if fault in ("lose_response", "reset") else "response"
    exchange = Exchange(api=api, method="POST", url=url, request_headers=headers, request_body=body.encode(),
                        outcome=outcome, status=status,
                        response_body=json.dumps(answer).encode() if answer is not None else b"",
                        duration_s=duration, idempotency_key=key, issuance=operation in ("issue", "allocate"))
    return Rec(seq, api, operation, at, exchange, fault,
               status if delivered == "same" else delivered,  # type: ignore[arg-type]
               {"Retry-After": retry_after} if retry_after else {})


def vouchers(*ids: str, field: str = "voucher_id") -> dict[str, Any]:
    return {"data": [{field: i} for i in ids]}


def token(seq: int, at: float) -> Rec:
    return rec(seq, at, url="http://up/oauth2/token", operation="token", body="", answer={"access_token": "x"})


KEY, OTHER = str(uuid.uuid4()), str(uuid.uuid4())
RUN_OK = SystemRun(0, ("a", "b"), 0.0, 100.0)


def verdict(j: judges.Judgement) -> bool:
    assert j.expected
    return j.ok


# v3 / v2 ----------------------------------------------------------------------------------------
def lost_then(retry: Rec) -> list[Rec]:
    return [rec(1, 1.0, key=KEY, answer=vouchers("a", "b"), fault="lose_response", delivered=None), retry]


def test_recovered_passes_the_same_request_under_the_same_key_replayed() -> None:
    records = lost_then(rec(2, 1.5, key=KEY, body='{ "quantity":2 }', answer=vouchers("a", "b")))
    assert verdict(judges.recovered(records, V3, RUN_OK))


@pytest.mark.parametrize(("records", "run", "problem"), [
    (lost_then(rec(2, 1.5, key=OTHER, answer=vouchers("c", "d"))), SystemRun(0, ("c", "d")), "not "),
    ([rec(1, 1.0, key=KEY, answer=vouchers("a", "b"), fault="lose_response", delivered=None)],
     SystemRun(1), "gave up"),
    (lost_then(rec(2, 1.5, key=KEY, body='{"quantity": 2, "face_value": 1000}', status=422, answer={})),
     SystemRun(1), "changed the request"),
    (lost_then(rec(2, 1.5, key=KEY, answer=vouchers("a", "b"))), SystemRun(0, ("a", "x")), "reported"),
], ids=["fresh-key", "give-up", "changed-body", "reports-other-ids"])
def test_recovered_fails(records: list[Rec], run: SystemRun, problem: str) -> None:
    judgement = judges.recovered(records, V3, run)
    assert not judgement.ok and problem in judgement.got


def test_recovered_in_v2_terms_compares_decimal_face_values_exactly() -> None:
    body = '{"manual_quantity": 1, "distribution_mode": "manual", "face_value": 61.72}'
    first = rec(1, 1.0, url=V2_ISSUE, api="v2", key=KEY, body=body, status=200,
                answer=vouchers("r1", field="voucher_settlement_ref"), fault="error_after_commit", delivered=500)
    same = rec(2, 1.5, url=V2_ISSUE, api="v2", key=KEY, body=body.replace("61.72", "61.720"),
               answer=vouchers("r1", field="voucher_settlement_ref"))
    changed = dataclasses.replace(same, exchange=dataclasses.replace(same.exchange, request_body=body.replace(
        "61.72", "61.7").encode()))
    assert judges.recovered([first, same], V2, SystemRun(0, ("r1",))).ok
    assert "changed the request" in judges.recovered([first, changed], V2, SystemRun(0, ("r1",))).got


def test_one_key_each_passes_a_key_per_issuance_kept_on_its_retry() -> None:
    runs = [SystemRun(0, (), 0.0, 5.0), SystemRun(0, (), 6.0, 9.0)]
    records = [rec(1, 1.0, key=KEY, status=500), rec(2, 2.0, key=KEY), rec(3, 7.0, key=OTHER)]
    assert verdict(judges.one_key_each(records, V3, runs))


@pytest.mark.parametrize(("keys", "problem"), [
    ([None, None, None], "without Idempotency-Key"),
    ([KEY, OTHER, str(uuid.uuid4())], "2 different keys"),
    ([KEY, KEY, KEY], "reused the key"),
    (["order-1", "order-1", "order-2"], "not a UUID"),
], ids=["no-key", "fresh-key", "reused", "not-uuid"])
def test_one_key_each_fails(keys: list[str | None], problem: str) -> None:
    runs = [SystemRun(0, (), 0.0, 5.0), SystemRun(0, (), 6.0, 9.0)]
    records = [rec(1, 1.0, key=keys[0], status=500), rec(2, 2.0, key=keys[1]), rec(3, 7.0, key=keys[2])]
    judgement = judges.one_key_each(records, V3, runs)
    assert not judgement.ok and problem in judgement.got


def test_waited_honours_retry_after_and_fails_a_retry_at_once() -> None:
    limited = rec(1, 1.0, key=KEY, status=None, delivered=429, retry_after="1")
    assert verdict(judges.waited([limited, rec(2, 2.05, key=KEY)], V3))
    judgement = judges.waited([limited, rec(2, 1.02, key=KEY)], V3)
    assert not judgement.ok and "waited less than 1 s" in judgement.got
    assert "no retry" in judges.waited([limited], V3).got


def persistent_500(gaps: list[float]) -> list[Rec]:
    at, records = 1.0, []
    for seq, gap in enumerate([0.0, *gaps], 1):
        at += gap
        records.append(rec(seq, at, key=KEY, status=200, delivered=500, fault="error_after_commit"))
    return records


def test_bounded_passes_a_spaced_and_bounded_retry_loop() -> None:
    assert verdict(judges.bounded(persistent_500([0.26, 0.51, 1.01, 1.01]), V3, SystemRun(2)))


@pytest.mark.parametrize(("records", "run", "problem"), [
    (persistent_500([0.3] * 12), SystemRun(2), "13 issuance requests"),
    (persistent_500([0.001] * 4), SystemRun(2), "4 of 4 retries sooner"),
    (persistent_500([0.3]), SystemRun(0), "exited 0"),
    (persistent_500([0.3]), SystemRun(None, timed_out=True), "time ran out"),
], ids=["unbounded", "hammering", "claims-success", "never-stops"])
def test_bounded_fails(records: list[Rec], run: SystemRun, problem: str) -> None:
    judgement = judges.bounded(records, V3, run)
    assert not judgement.ok and problem in judgement.got


def test_token_renewed_needs_a_new_token_and_the_issuance_resent_with_it() -> None:
    refused = rec(2, 1.0, key=KEY, status=None, delivered=401, fault="expire_token")
    good = [token(1, 0.5), refused, token(3, 1.1), rec(4, 1.2, key=KEY, token="t2")]
    assert verdict(judges.token_renewed(good, V3, SystemRun(0)))
    judgement = judges.token_renewed([token(1, 0.5), refused], V3, SystemRun(1))
    assert not judgement.ok and "no token request after the 401" in judgement.got
    stale = judges.token_renewed([token(1, 0.5), refused, rec(3, 1.2, key=KEY, status=None, delivered=401)], V3,
                                 SystemRun(1))
    assert "resent with the refused token" in stale.got


def test_within_limits_in_cents_on_v3_and_dollars_on_v2() -> None:
    v3 = [rec(1, 1.0, key=KEY, body='{"quantity": 20, "face_value": 6172}'),
          rec(2, 2.0, key=OTHER, body='{"quantity": 5, "face_value": 6172}')]
    assert verdict(judges.within_limits(v3, V3, SystemRun(0), total=25, face_value=Decimal("61.72")))
    dollars = [dataclasses.replace(r, exchange=dataclasses.replace(
        r.exchange, request_body=r.exchange.request_body.replace(b"6172", b"61.72"))) for r in v3]
    judgement = judges.within_limits(dollars, V3, SystemRun(1), total=25, face_value=Decimal("61.72"))
    assert not judgement.ok and "not an integer number of cents" in judgement.got
    too_many = [rec(1, 1.0, key=KEY, body='{"quantity": 25, "face_value": 6172}')]
    assert "quantity 25" in judges.within_limits(too_many, V3, SystemRun(0), total=25,
                                                 face_value=Decimal("61.72")).got
    v2_body = '{"manual_quantity": 3, "distribution_mode": "manual", "face_value": %s}'
    v2 = [rec(1, 1.0, url=V2_ISSUE, api="v2", key=KEY, body=v2_body % "61.72")]
    assert judges.within_limits(v2, V2, SystemRun(0), total=3, face_value=Decimal("61.72")).ok
    cents = [rec(1, 1.0, url=V2_ISSUE, api="v2", key=KEY, body=v2_body % "6172")]
    assert "outside 1-1000 dollars" in judges.within_limits(cents, V2, SystemRun(1), total=3,
                                                            face_value=Decimal("61.72")).got


def test_invalid_not_resent() -> None:
    refused = rec(1, 1.0, key=KEY, status=404, answer={"error": {"code": "404-F01"}})
    assert verdict(judges.invalid_not_resent([refused], V3, SystemRun(1)))
    judgement = judges.invalid_not_resent([refused, rec(2, 1.5, key=KEY, status=404)], V3, SystemRun(1))
    assert not judgement.ok and "resent 1 time(s) unchanged" in judgement.got
    assert not judges.invalid_not_resent([], V3, SystemRun(1)).ok  # nothing refused: nothing proven


# AllSafe ----------------------------------------------------------------------------------------
def alloc(seq: int, at: float, **kwargs: Any) -> Rec:
    kwargs.setdefault("answer", {"id": "x", "code": "EXM-4K9P-77QZ-2M1D"})
    return rec(seq, at, url=ALLOCATE, operation="allocate", api="allsafe",
               body='{"vendor": "ExampleMart", "value": 50}', **kwargs)


def test_allocated_compares_the_last_four_characters() -> None:
    assert verdict(als.allocated([alloc(1, 1.0)], SystemRun(0, ("2M1D",))))
    assert "not the last 4" in als.allocated([alloc(1, 1.0)], SystemRun(0, ("XXXX",))).got
    assert "2 allocation requests" in als.allocated([alloc(1, 1.0), alloc(2, 2.0)], SystemRun(0, ("2M1D",))).got


def test_unknown_not_resent() -> None:
    lost = alloc(1, 1.0, fault="lose_response", delivered=None)
    assert verdict(als.unknown_not_resent([lost], SystemRun(2)))
    judgement = als.unknown_not_resent([lost, alloc(2, 1.5)], SystemRun(0, ("2M1D",)))
    assert not judgement.ok and "a second voucher may have been handed out" in judgement.got
    assert "not 2" in als.unknown_not_resent([alloc(1, 1.0, status=500, answer={})], SystemRun(1)).got


@pytest.mark.parametrize("status", [491, 492, 495, 496])
def test_refusal_not_retried(status: int) -> None:
    refused = alloc(1, 1.0, status=status, answer={"status": status})
    assert verdict(als.refusal_not_retried([refused], SystemRun(1)))
    judgement = als.refusal_not_retried([refused, alloc(2, 1.3, status=status, answer={})], SystemRun(1))
    assert not judgement.ok and f"after the {status}" in judgement.got


def test_stopped_on_401() -> None:
    refused = alloc(1, 1.0, status=None, delivered=401, fault="expire_token")
    assert verdict(als.stopped_on_401([refused], SystemRun(1)))
    judgement = als.stopped_on_401([refused, alloc(2, 1.3, status=None, delivered=401)], SystemRun(1))
    assert not judgement.ok and "1 request(s) after the 401 (allocate)" in judgement.got


def test_a_malformed_allocation_refused_by_the_system_itself_passes_only_when_allowed() -> None:
    assert als.refusal_not_retried([], SystemRun(1), refused_locally_ok=True).ok
    assert not als.refusal_not_retried([], SystemRun(1)).ok
    assert not als.refusal_not_retried([], SystemRun(0), refused_locally_ok=True).ok
