"""
Issuance totals from the run's ledger, and reconciliation against the provider's own records.

The ledger (`ledger.jsonl`, written during the run) holds an `intent` line before each logical
issuance, an `outcome` line after its last attempt, and `attempt` lines for each HTTP attempt.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from uatcert.evidence import SETTLED, open_intents
from uatcert.pack._errors import BundleError

ISSUED = ("issued", "partial")


def read_records(lines: Iterable[str]) -> tuple[list[dict[str, Any]], int]:
    """JSON objects of the ledger, and how many lines could not be read (a torn last line)."""
    records: list[dict[str, Any]] = []
    unreadable = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            unreadable += 1
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            unreadable += 1
    return records, unreadable


def ledger_totals(ledger_jsonl: Path) -> dict[str, Any]:
    """What the run issued, from `ledger.jsonl` (zeros when there is no ledger)."""
    if not ledger_jsonl.exists():
        return totals_of([], 0)
    try:
        text = ledger_jsonl.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise BundleError(f"cannot read the ledger {ledger_jsonl}: {exc.strerror or exc}") from None
    records, unreadable = read_records(text.splitlines())
    return totals_of(records, unreadable)


def value_unit(api: str) -> str:
    """UNIQREWARDS v3 and v2 ledgers record face values in cents; AllSafe values are whole units."""
    return "cents" if api.lower() in ("v3", "v2") else "whole units"


def totals_of(records: list[dict[str, Any]], unreadable: int = 0) -> dict[str, Any]:
    """Totals over parsed ledger records.

    Vouchers are counted once per voucher id, so a replayed response that returns the same vouchers
    adds nothing. The face value of each voucher is the `face_value` of its issuance (cents for v3),
    else `value_cents` when the ledger has it; otherwise the voucher is counted as of unknown value.
    """
    intents: dict[str, dict[str, Any]] = {}
    outcomes: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        key = str(record.get("idempotency_key") or "")
        if record.get("event") == "intent":
            intents.setdefault(key, record)
        elif record.get("event") == "outcome":
            outcomes.setdefault(key, []).append(record)
    seen: set[str] = set()
    value_totals: dict[tuple[str, str], dict[str, Any]] = {}
    issuances = replays = refused = attempts = without_value = 0
    for key_outcomes in outcomes.values():
        for outcome in key_outcomes:
            attempts += _int(outcome.get("attempts"), 1)
            if outcome.get("replayed"):
                replays += 1
            state = outcome.get("outcome")
            if state == "refused":
                refused += 1
            if state not in ISSUED:
                continue
            issuances += 1
            value = outcome.get("face_value")
            if value is None:
                value = outcome.get("value_cents")
            currency = str(outcome.get("currency") or "unstated")
            unit = value_unit(str(outcome.get("api") or ""))
            for voucher_id in outcome.get("voucher_ids") or []:
                if str(voucher_id) in seen:
                    continue
                seen.add(str(voucher_id))
                if isinstance(value, int | float) and not isinstance(value, bool):
                    bucket = value_totals.setdefault((currency, unit), {"currency": currency, "unit": unit,
                                                                        "total": 0, "vouchers": 0})
                    bucket["total"] += value
                    bucket["vouchers"] += 1
                else:
                    without_value += 1
    without_outcome = sorted(k for k in intents if k not in outcomes)
    unknown_keys = sorted(
        k for k, rs in outcomes.items() if all(r.get("outcome") not in SETTLED for r in rs)
    )
    return {
        "issuances": issuances,
        "vouchers": len(seen),
        "face_value": [value_totals[k] for k in sorted(value_totals)],
        "vouchers_without_value": without_value,
        "replays": replays,
        "refused": refused,
        "attempts": attempts,
        "needing_reconciliation": len(without_outcome) + len(unknown_keys),
        "reconciliation_keys": without_outcome + unknown_keys,
        "unreadable_lines": unreadable,
        "open_intents": [o.summary() for o in open_intents(records)],
    }


def format_amount(total: float, unit: str) -> str:
    if unit == "cents":
        return f"{total / 100:,.2f}"
    return f"{total:,}"


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# provider reconciliation -------------------------------------------------------------------------
_KEY_HEADERS = ("idempotency_key", "idempotencykey", "idempotency", "idem_key", "x_idempotency_key",
                "request_key", "correlation_id", "x_correlation_id", "client_reference", "key")
_VOUCHER_HEADERS = ("voucher_id", "voucherid", "voucher_ids", "voucher", "vouchers", "id")


@dataclasses.dataclass
class ProviderRecords:
    keys: set[str]
    voucher_ids: set[str]
    rows: int
    has_keys: bool
    has_vouchers: bool


def _normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def read_provider_csv(path: Path) -> ProviderRecords:
    """The provider's export: idempotency keys and voucher ids, whatever the exact headers."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise BundleError(f"cannot read the provider records {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BundleError(f"the provider records {path} are not UTF-8 text (expected a CSV export)") from None
    if not text.strip():
        raise BundleError(f"the provider records {path} are empty")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [_normalise(h) for h in next(reader)]
        rows = list(reader)
    except csv.Error as exc:
        raise BundleError(f"the provider records {path} are not a readable CSV: {exc}") from None
    key_col = next((header.index(h) for h in _KEY_HEADERS if h in header), None)
    voucher_col = next((header.index(h) for h in _VOUCHER_HEADERS if h in header), None)
    if key_col is None and voucher_col is None:
        raise BundleError(
            f"the provider records {path} have no idempotency key or voucher id column "
            f"(headers: {', '.join(header) or 'none'}; expected e.g. idempotency_key, voucher_id)"
        )
    keys: set[str] = set()
    vouchers: set[str] = set()
    for row in rows:
        if key_col is not None and key_col < len(row) and row[key_col].strip():
            keys.add(row[key_col].strip())
        if voucher_col is not None and voucher_col < len(row):
            vouchers.update(v.strip() for v in re.split(r"[;,\s]+", row[voucher_col]) if v.strip())
    return ProviderRecords(keys, vouchers, len(rows), key_col is not None, voucher_col is not None)


def reconcile(records: list[dict[str, Any]], provider: ProviderRecords) -> list[str]:
    """Differences between the ledger and the provider's records, both ways (empty: they agree)."""
    outcomes: dict[str, str] = {}
    ledger_vouchers: set[str] = set()
    intents: set[str] = set()
    for record in records:
        key = str(record.get("idempotency_key") or "")
        if record.get("event") == "intent":
            intents.add(key)
        elif record.get("event") == "outcome":
            state = str(record.get("outcome"))
            if outcomes.get(key) not in ISSUED:
                outcomes[key] = state
            if state in ISSUED:
                ledger_vouchers.update(str(v) for v in record.get("voucher_ids") or [])
    issued_keys = {k for k, s in outcomes.items() if s in ISSUED}
    problems: list[str] = []
    if provider.has_keys:
        for key in sorted(issued_keys - provider.keys):
            problems.append(f"idempotency key {key}: issued in the ledger, absent from the provider's records")
        for key in sorted(provider.keys - issued_keys):
            if key in outcomes or key in intents:
                state = outcomes.get(key, "no outcome recorded")
                problems.append(f"idempotency key {key}: in the provider's records, the ledger says {state}")
            else:
                problems.append(f"idempotency key {key}: in the provider's records, not in the ledger")
    if provider.has_vouchers:
        for voucher in sorted(ledger_vouchers - provider.voucher_ids):
            problems.append(f"voucher {voucher}: issued in the ledger, absent from the provider's records")
        for voucher in sorted(provider.voucher_ids - ledger_vouchers):
            problems.append(f"voucher {voucher}: in the provider's records, not issued in the ledger")
    return problems
