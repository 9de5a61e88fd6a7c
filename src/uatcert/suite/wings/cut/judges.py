"""
The judges of an integrator's UNIQREWARDS system (v3 and v2, each in its own terms): pure functions of
what the proxy saw (`Seen` records) and of what the system reported (`SystemRun`). Each returns a
`Judgement`; the steps turn a failed one into a finding of the scenario's requirement.

The bounds (docs/client-under-test.md gives the reasons):
- at most `MAX_ATTEMPTS` issuance requests for one logical issuance;
- every retry at least `BACKOFF_FLOOR_S` after the previous answer (or lost connection) and, after a 429
  or a 409 carrying `Retry-After`, at least that many seconds; measured with `TOLERANCE_S` of slack.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from uatcert.suite.wings.cut.records import (
    UNKNOWN_FAULTS,
    Seen,
    SystemRun,
    delivered_at,
    header,
    issuing,
    upstream_json,
)

MAX_ATTEMPTS = 10
BACKOFF_FLOOR_S = 0.2
TOLERANCE_S = 0.05
RETRYABLE_4XX = (401, 409, 429)


@dataclasses.dataclass(frozen=True)
class Judgement:
    expected: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def got(self) -> str:
        return "; ".join(self.problems) if self.problems else "as expected"


@dataclasses.dataclass(frozen=True)
class Dialect:
    """How one UNIQREWARDS API names what the judges look at."""

    api: str
    key_header: str
    id_field: str
    quantity_field: str
    face_unit: str
    """"cents" (v3: an integer, 100-100000) or "dollars" (v2: a number with at most 2 decimals, 1-1000)."""
    key_is_uuid: bool
    ids_name: str

    def key(self, record: Seen) -> str | None:
        return record.exchange.idempotency_key or header(record, self.key_header)

    def body(self, record: Seen) -> dict[str, Any] | None:
        """The request body, numbers kept exact (a float becomes a Decimal)."""
        try:
            body = json.loads(record.exchange.request_body or b"null", parse_float=Decimal)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def request(self, record: Seen) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        """What makes two requests the same: the path (the product) and the body's fields, numbers by value."""
        body = self.body(record)
        if body is None:
            return None
        return urlsplit(record.exchange.url).path, tuple(sorted((k, _canonical(v)) for k, v in body.items()))

    def ids(self, record: Seen) -> list[str]:
        """The vouchers (v3 ids, v2 settlement refs) in the upstream's answer to a request."""
        answer = upstream_json(record)
        items = answer.get("data") if isinstance(answer, dict) else None
        if record.exchange.status != 200 or not isinstance(items, list):
            return []
        return [str(v[self.id_field]) for v in items if isinstance(v, dict) and self.id_field in v]

    def describe(self, record: Seen) -> str:
        body = self.body(record)
        return f"request #{record.seq} {urlsplit(record.exchange.url).path} {json.dumps(body, default=str)}"


V3 = Dialect("v3", "Idempotency-Key", "voucher_id", "quantity", "cents", key_is_uuid=True, ids_name="voucher ids")
V2 = Dialect("v2", "X-Correlation-Id", "voucher_settlement_ref", "manual_quantity", "dollars", key_is_uuid=False,
             ids_name="settlement refs")


def _canonical(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | Decimal):
        return str(Decimal(value).normalize())
    return json.dumps(value, sort_keys=True, default=str)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def _printed(run: SystemRun) -> set[str]:
    return {line.strip() for line in run.printed if line.strip()}


# the judges -------------------------------------------------------------------------------------
def recovered(records: Sequence[Seen], d: Dialect, run: SystemRun) -> Judgement:
    """After an issuance whose answer the system lost (or got as a 5xx after the provider issued), the
    system resent the same request under the same key, and ended with the vouchers issued first."""
    expected = (f"after the failed issuance, the same request resent under the same {d.key_header}, and the "
                f"original {d.ids_name} obtained and reported")
    attempts = issuing(records)
    failed = next((r for r in attempts if r.fault in UNKNOWN_FAULTS or (r.delivered_status or 0) >= 500), None)
    if failed is None:
        return Judgement(expected, ("the system sent no issuance that met the fault",))
    later = [r for r in attempts if r.seq > failed.seq]
    if not later:
        return Judgement(expected, (f"no issuance request after {d.describe(failed)} met {failed.fault}: "
                                    "the system gave up",))
    problems: list[str] = []
    retry = later[0]
    if d.key(retry) != d.key(failed):
        problems.append(f"the retry carried {d.key_header} {d.key(retry)!r}, not {d.key(failed)!r}")
    if d.request(retry) != d.request(failed):
        problems.append(f"the retry changed the request: {d.describe(failed)} then {d.describe(retry)}")
    original = d.ids(failed) or next((d.ids(r) for r in later if d.ids(r)), [])
    delivered = [r for r in later if r.delivered_status == 200 and d.ids(r)]
    if not delivered:
        problems.append("the system never received the vouchers")
    elif set(d.ids(delivered[-1])) != set(original):
        problems.append(f"it ended with {d.ids_name} {sorted(d.ids(delivered[-1]))}, not the original "
                        f"{sorted(original)}")
    issued = {i for r in attempts for i in d.ids(r)}
    if len(issued) > len(original):
        problems.append(f"the provider issued {len(issued)} vouchers for {len(original)} requested")
    if run.reported and run.exit_code != 0:
        problems.append(f"the system exited {run.exit_code} (not obtained)")
    printed = _printed(run)
    if printed and printed != set(original):
        problems.append(f"it reported {sorted(printed)}, not the original {sorted(original)}")
    return Judgement(expected, tuple(problems))


def one_key_each(records: Sequence[Seen], d: Dialect, runs: Sequence[SystemRun]) -> Judgement:
    """Each run (one logical issuance of at most 20 vouchers) sent one key, on every attempt; each run a new one."""
    kind = "a UUID " if d.key_is_uuid else ""
    expected = f"{kind}{d.key_header} on every issuance request, one per logical issuance, a new one for each"
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, run in enumerate(runs, 1):
        attempts = [r for r in issuing(records) if run.started_at <= r.received_at <= run.finished_at]
        keys = [d.key(r) for r in attempts]
        if any(k is None for k in keys):
            problems.append(f"issuance {number}: {keys.count(None)} of {len(keys)} requests without {d.key_header}")
        distinct = list(dict.fromkeys(k for k in keys if k))
        if d.key_is_uuid:
            problems += [f"issuance {number}: {d.key_header} {k!r} is not a UUID" for k in distinct if not _is_uuid(k)]
        if len(distinct) > 1:
            problems.append(f"issuance {number}: {len(distinct)} different keys over its {len(keys)} attempts")
        for key in distinct:
            if key in seen:
                problems.append(f"issuance {number} reused the key of issuance {seen[key]}")
            seen.setdefault(key, number)
    return Judgement(expected, tuple(problems))


def waited(records: Sequence[Seen], d: Dialect) -> Judgement:
    """After a 429 or 409 the system waited (Retry-After when given, else the back-off floor) and sent again."""
    expected = "after a 429 or 409, the issuance resent no sooner than Retry-After (or the back-off floor)"
    attempts = issuing(records)
    problems: list[str] = []
    pushed_back = [r for r in attempts if r.delivered_status in (409, 429)]
    if not pushed_back:
        return Judgement(expected, ("the system sent no issuance that met the 429/409",))
    for record in pushed_back:
        after = [r for r in attempts if r.seq > record.seq]
        if not after:
            problems.append(f"no retry after the {record.delivered_status} to request #{record.seq}")
            continue
        retry_after = _seconds(record.delivered_headers.get("Retry-After") or record.delivered_headers.get(
            "retry-after"))
        floor = max(BACKOFF_FLOOR_S, retry_after or 0.0)
        gap = after[0].received_at - delivered_at(record)
        if gap < floor - TOLERANCE_S:
            problems.append(f"request #{after[0].seq} came {gap:.2f} s after the {record.delivered_status} "
                            f"(waited less than {floor:g} s)")
    return Judgement(expected, tuple(problems))


def bounded(records: Sequence[Seen], d: Dialect, run: SystemRun) -> Judgement:
    """Against an issuance failing every time: a bounded number of attempts, spaced out, then no claim of success."""
    expected = (f"at most {MAX_ATTEMPTS} issuance requests, each retry at least {BACKOFF_FLOOR_S:g} s after the "
                "previous answer, then the system stops without claiming vouchers")
    attempts = issuing(records)
    problems: list[str] = []
    if len(attempts) > MAX_ATTEMPTS:
        problems.append(f"{len(attempts)} issuance requests")
    gaps = [(b.received_at - delivered_at(a), b.seq) for a, b in zip(attempts, attempts[1:], strict=False)]
    short_gaps = [(gap, seq) for gap, seq in gaps if gap < BACKOFF_FLOOR_S - TOLERANCE_S]
    if short_gaps:
        gap, seq = min(short_gaps)
        problems.append(f"{len(short_gaps)} of {len(gaps)} retries sooner than {BACKOFF_FLOOR_S:g} s "
                        f"(request #{seq} after {gap:.3f} s)")
    if run.timed_out:
        problems.append("the system was still retrying when its time ran out")
    if run.exit_code == 0 and not any(r.delivered_status == 200 for r in attempts):
        problems.append("it exited 0 although no issuance ever succeeded")
    return Judgement(expected, tuple(problems))


def token_renewed(records: Sequence[Seen], d: Dialect, run: SystemRun) -> Judgement:
    """After a 401 on an issuance, the system asked for a new token and resent with it, and obtained the vouchers."""
    expected = "after a 401, a new token requested and the issuance resent with it, the vouchers obtained"
    attempts = issuing(records)
    refused = next((r for r in attempts if r.delivered_status == 401), None)
    if refused is None:
        return Judgement(expected, ("the system sent no issuance that met the 401",))
    problems: list[str] = []
    tokens = [r for r in records if r.operation == "token" and r.seq > refused.seq]
    if not tokens:
        problems.append("no token request after the 401")
    after = [r for r in attempts if r.seq > refused.seq]
    if not after:
        problems.append("no issuance after the 401: the system gave up")
    elif header(after[0], "Authorization") == header(refused, "Authorization"):
        problems.append("the issuance was resent with the refused token")
    if not any(r.delivered_status == 200 for r in after):
        problems.append("the vouchers were never obtained")
    if run.reported and run.exit_code != 0:
        problems.append(f"the system exited {run.exit_code}")
    return Judgement(expected, tuple(problems))


def within_limits(records: Sequence[Seen], d: Dialect, run: SystemRun, *, total: int,
                  face_value: Decimal | None) -> Judgement:
    """Every request asked for 1-20 vouchers, with the face value in the API's unit and range (the one asked
    for), and together they asked for exactly `total` vouchers; the system reported what was issued."""
    unit = "integer cents, 100-100000" if d.face_unit == "cents" else "SGD dollars, 1-1000, 2 decimals at most"
    expected = f"each request 1-20 vouchers, face value {face_value} in {unit}; {total} vouchers in all"
    problems: list[str] = []
    asked: dict[str | None, int] = {}
    attempts = issuing(records)
    for record in attempts:
        body = d.body(record) or {}
        quantity = body.get(d.quantity_field)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 20:
            problems.append(f"request #{record.seq}: {d.quantity_field} {quantity!r}")
            continue
        asked.setdefault(d.key(record) or f"#{record.seq}", quantity)
        if face_value is not None:
            sent = body.get("face_value")
            problem = _face_value_problem(sent, face_value, d.face_unit)
            if problem:
                problems.append(f"request #{record.seq}: face_value {sent!r} {problem}")
    if sum(asked.values()) != total and not problems:
        problems.append(f"{sum(asked.values())} vouchers asked for in all")
    issued = {i for r in attempts for i in d.ids(r)}
    printed = _printed(run)
    if run.reported and run.exit_code != 0:
        problems.append(f"the system exited {run.exit_code}")
    elif printed and printed != issued:
        problems.append(f"it reported {len(printed)} {d.ids_name}, {len(printed - issued)} of them not issued")
    return Judgement(expected, tuple(problems))


def _face_value_problem(sent: Any, wanted: Decimal, unit: str) -> str | None:
    if sent is None or isinstance(sent, bool) or not isinstance(sent, int | Decimal):
        return "is not a number"
    if unit == "cents":
        if not isinstance(sent, int):
            return "is not an integer number of cents"
        if not 100 <= sent <= 100000:
            return "is outside 100-100000 cents"
        return None if sent == int(wanted * 100) else f"is not {int(wanted * 100)} cents"
    value = Decimal(sent)
    if value != value.quantize(Decimal("0.01")):
        return "has more than 2 decimals"
    if not Decimal(1) <= value <= Decimal(1000):
        return "is outside 1-1000 dollars"
    return None if value == wanted else f"is not {wanted} dollars"


def invalid_not_resent(records: Sequence[Seen], d: Dialect, run: SystemRun) -> Judgement:
    """A request the API refused as invalid (4xx other than 401/409/429) was never sent again unchanged."""
    expected = "a request refused as invalid (4xx other than 401, 409, 429) not resent unchanged; not obtained"
    attempts = issuing(records)
    refused = [r for r in attempts if r.delivered_status and 400 <= r.delivered_status < 500
               and r.delivered_status not in RETRYABLE_4XX]
    if not refused:
        return Judgement(expected, ("the system sent no request the API refused as invalid",))
    problems: list[str] = []
    for record in refused:
        again = [r for r in attempts if r.seq > record.seq and d.request(r) == d.request(record)]
        if again:
            problems.append(f"{d.describe(record)} refused {record.delivered_status}, then resent "
                            f"{len(again)} time(s) unchanged")
    if run.exit_code == 0:
        problems.append("the system exited 0 (obtained) after the refusal")
    return Judgement(expected, tuple(problems))


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(Decimal(value.strip()))
    except (InvalidOperation, ValueError):
        return None
