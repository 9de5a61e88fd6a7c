"""
The judges of an integrator's AllSafe system: pure functions of what the proxy saw and what the system
reported. AllSafe has no idempotency key, so an allocation whose outcome is unknown must never be sent
again (a second voucher could be handed out); a refusal must not be retried; a 401 must stop the system.
"""

from __future__ import annotations

from collections.abc import Sequence

from uatcert.suite.wings.cut.judges import Judgement
from uatcert.suite.wings.cut.records import UNKNOWN_FAULTS, Seen, SystemRun, body_of, issuing, upstream_json

EXIT_OBTAINED, EXIT_REFUSED, EXIT_UNKNOWN = 0, 1, 2
REFUSALS = (491, 492, 495, 496)


def _describe(record: Seen) -> str:
    return f"allocation #{record.seq} {body_of(record)}"


def _code(record: Seen) -> str | None:
    answer = upstream_json(record)
    code = answer.get("code") if isinstance(answer, dict) and record.exchange.status == 200 else None
    return str(code) if code else None


def allocated(records: Sequence[Seen], run: SystemRun) -> Judgement:
    """One allocation, answered 200 with a code; the system exited 0 and reported the code's last 4 characters."""
    expected = "one allocation request, the voucher obtained (exit 0) and its code's last 4 characters reported"
    attempts = issuing(records)
    problems: list[str] = []
    if len(attempts) != 1:
        problems.append(f"{len(attempts)} allocation requests")
    codes = [c for c in (_code(r) for r in attempts if r.delivered_status == 200) if c]
    if not codes:
        problems.append("no allocation was answered with a voucher")
    if run.reported and run.exit_code != EXIT_OBTAINED:
        problems.append(f"the system exited {run.exit_code}")
    printed = [line.strip() for line in run.printed if line.strip()]
    if codes and printed and printed != [codes[-1][-4:]]:
        problems.append(f"it reported {printed}, not the last 4 characters of the allocated code")
    return Judgement(expected, tuple(problems))


def unknown_not_resent(records: Sequence[Seen], run: SystemRun) -> Judgement:
    """An allocation whose outcome the system could not know was never sent again; the system flagged it (exit 2)."""
    expected = "the allocation with an unknown outcome never resent, flagged for reconciliation (exit 2)"
    attempts = issuing(records)
    unknown = next((r for r in attempts if r.fault in UNKNOWN_FAULTS or (r.delivered_status or 0) >= 500
                    or r.delivered_status == 204), None)
    if unknown is None:
        return Judgement(expected, ("the system sent no allocation that met the fault",))
    problems: list[str] = []
    again = [r for r in attempts if r.seq > unknown.seq]
    if again:
        problems.append(f"{len(again)} allocation(s) sent after {_describe(unknown)} "
                        f"({unknown.fault or unknown.delivered_status}): a second voucher may have been handed out")
    if run.reported and run.exit_code != EXIT_UNKNOWN:
        problems.append(f"the system exited {run.exit_code}, not {EXIT_UNKNOWN} (outcome unknown)")
    return Judgement(expected, tuple(problems))


def refusal_not_retried(records: Sequence[Seen], run: SystemRun, *, refused_locally_ok: bool = False) -> Judgement:
    """After a 491, 492, 495 or 496 the system sent no further allocation and reported the refusal (exit 1).
    `refused_locally_ok`: a malformed request the system refused itself, sending nothing, passes too."""
    expected = "no allocation after a 491/492/495/496 refusal, the refusal reported (exit 1)"
    attempts = issuing(records)
    refused = next((r for r in attempts if r.delivered_status in REFUSALS), None)
    if refused is None and refused_locally_ok and not attempts and run.exit_code == EXIT_REFUSED:
        return Judgement(expected)
    if refused is None:
        return Judgement(expected, ("the system sent no allocation that was refused",))
    problems: list[str] = []
    again = [r for r in attempts if r.seq > refused.seq]
    if again:
        problems.append(f"{len(again)} allocation(s) sent after the {refused.delivered_status} to {_describe(refused)}")
    if run.reported and run.exit_code != EXIT_REFUSED:
        problems.append(f"the system exited {run.exit_code}, not {EXIT_REFUSED} (refusal understood)")
    return Judgement(expected, tuple(problems))


def stopped_on_401(records: Sequence[Seen], run: SystemRun) -> Judgement:
    """After a 401 the system sent nothing more (no retry can fix credentials) and reported the refusal (exit 1)."""
    expected = "no request after the 401, the refusal reported (exit 1)"
    ordered = sorted(records, key=lambda r: r.seq)
    refused = next((r for r in ordered if r.delivered_status == 401), None)
    if refused is None:
        return Judgement(expected, ("the system sent no request that met the 401",))
    problems: list[str] = []
    again = [r for r in ordered if r.seq > refused.seq]
    if again:
        problems.append(f"{len(again)} request(s) after the 401 ({', '.join(sorted({r.operation for r in again}))})")
    if run.reported and run.exit_code != EXIT_REFUSED:
        problems.append(f"the system exited {run.exit_code}, not {EXIT_REFUSED}")
    return Judgement(expected, tuple(problems))
