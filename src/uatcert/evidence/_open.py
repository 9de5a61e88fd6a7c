"""
Open intents: the issuances of a ledger whose outcome is not settled.

An intent is settled by an outcome `issued`, `partial`, `refused` or `void` under its key (whoever wrote
it: the run, or `uatcert reconcile`). It stays open with no outcome at all (the process died between
intent and outcome) or only `unknown` outcomes (a lost answer never recovered, an AllSafe allocation
that is never resent). A raw request on an issuance route (`raw_intent`) is settled when its attempt
got an answer (or provably never left: `lost_request`), or by a `raw_outcome` of `uatcert reconcile`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

SETTLED = ("issued", "partial", "refused", "void")
ANSWERED = ("response", "lost_request")
"""Exchange outcomes that settle a raw request: the answer was received, or nothing left."""


@dataclasses.dataclass(frozen=True)
class OpenIntent:
    """One issuance the ledger cannot settle by itself."""

    api: str
    key: str | None
    """The idempotency key / X-Correlation-Id / AllSafe reference (None: a raw request sent without one)."""
    intent: dict[str, Any]
    """The intent record (`intent` or `raw_intent`): what a replay needs."""
    state: str
    """"no outcome recorded", or "unknown: <the client's error>"."""
    request_ids: tuple[str, ...] = ()
    """The provider's request ids seen for it (outcome and attempt lines)."""
    voucher_ids: tuple[str, ...] = ()
    """Voucher ids an attempt line saw in an answer the client lost (a hint, not a settlement)."""

    @property
    def raw(self) -> bool:
        return self.intent.get("event") == "raw_intent"

    @property
    def raw_id(self) -> str | None:
        value = self.intent.get("raw_id")
        return str(value) if value else None

    @property
    def embedded_sandbox(self) -> bool:
        return bool(self.intent.get("embedded_sandbox"))

    def summary(self) -> dict[str, Any]:
        """What the certificate and `uatcert verify` show of it."""
        intent = self.intent
        return {
            "api": self.api, "idempotency_key": self.key, "raw": self.raw, "time": intent.get("time"),
            "product_code": intent.get("product_code"), "quantity": intent.get("quantity"),
            "face_value": intent.get("face_value"), "currency": intent.get("currency"),
            "state": self.state, "request_ids": list(self.request_ids), "embedded_sandbox": self.embedded_sandbox,
        }


def _key(record: dict[str, Any]) -> tuple[str, str]:
    return str(record.get("api") or ""), str(record.get("idempotency_key") or "")


def open_intents(records: list[dict[str, Any]]) -> list[OpenIntent]:
    """The open intents of a ledger's records, in the order their intents were written."""
    intents: dict[tuple[str, str], dict[str, Any]] = {}
    outcomes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    attempts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    raw_intents: dict[str, dict[str, Any]] = {}
    raw_settled: set[str] = set()
    raw_attempts: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        event = record.get("event")
        if event == "intent":
            intents.setdefault(_key(record), record)
        elif event == "outcome":
            outcomes.setdefault(_key(record), []).append(record)
        elif event == "raw_intent" and record.get("raw_id"):
            raw_intents.setdefault(str(record["raw_id"]), record)
        elif event == "raw_outcome" and record.get("outcome") in SETTLED:
            raw_settled.add(str(record.get("raw_id")))
        elif event == "attempt":
            attempts.setdefault(_key(record), []).append(record)
            if record.get("raw_id"):
                raw_attempts.setdefault(str(record["raw_id"]), []).append(record)
                if record.get("outcome") in ANSWERED:
                    raw_settled.add(str(record["raw_id"]))
    found: list[OpenIntent] = []
    for key, intent in intents.items():
        said = outcomes.get(key, [])
        if any(o.get("outcome") in SETTLED for o in said):
            continue
        errors = [str(o.get("error") or "no answer") for o in said]
        state = f"unknown: {errors[-1]}" if errors else "no outcome recorded"
        seen = [*said, *attempts.get(key, [])]
        found.append(OpenIntent(key[0], key[1] or None, intent, state, _ids(seen, "request_ids"),
                                _ids(attempts.get(key, []), "voucher_ids")))
    for raw_id, intent in raw_intents.items():
        if raw_id in raw_settled:
            continue
        tried = raw_attempts.get(raw_id, [])
        state = f"unknown: {tried[-1].get('outcome')}" if tried else "no outcome recorded"
        found.append(OpenIntent(str(intent.get("api") or ""), intent.get("idempotency_key") or None, intent, state,
                                _ids(tried, "request_ids"), _ids(tried, "voucher_ids")))
    found.sort(key=lambda o: str(o.intent.get("time") or ""))
    return found


def _ids(records: list[dict[str, Any]], field: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v) for r in records for v in r.get(field) or []))
