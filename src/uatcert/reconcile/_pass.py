"""One pass of `uatcert reconcile` over a ledger's open intents (what it does with each: see the package)."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from uatcert.config import Settings
from uatcert.errors import ConfigError, TargetUnreachable
from uatcert.events import Exchange, IssuanceHook, IssueIntent, IssueOutcome, Observer
from uatcert.evidence import (
    SETTLED,
    IssuanceLedger,
    OpenIntent,
    client_fingerprint,
    open_intents,
    read_ledger_file,
    voucher_ids_of,
    write_ledger_csv,
)
from uatcert.guard import looks_like_production
from uatcert.reconcile._clients import UNREACHABLE, Client, new_client
from uatcert.reconcile._counts import ledger_counts
from uatcert.v2 import ApiError as V2Error
from uatcert.v2 import V2Client
from uatcert.v3 import ApiError as V3Error
from uatcert.v3 import V3Client

EXIT_SETTLED, EXIT_OPEN, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
MAX_AGE_HOURS = 24.0
"""Intents older than this are not replayed by default: neither API documents how long the provider keeps an
idempotency record (the references propose 24 h for v3, 30 days for v2; public v2 clients reuse a key within
a day), and a replay after the record expired would issue a second time."""
REFUSAL_SETTLES: dict[str, tuple[int, ...]] = {"v3": (400, 404), "v2": (400,)}
"""Refusals of a replay that prove nothing was issued under its key. v3 looks the key up before it parses
the body and looks the product up (reference §5.3): a 400 or 404 means no record. v2 documents no order: only
a 400 proves it (the same body as the original, so the original was refused too), not a 404 (the catalogue
may have changed since). A 401/403 comes before any lookup and a 409/422 means a record exists: those never
settle an intent."""
EMBEDDED_GONE = ("embedded sandbox of a run that has ended: its state (vouchers, idempotency records) died with "
                 "the run's process; nothing can be replayed or issued there")

class Tally:
    replayed: int = 0
    vouchers: int = 0
    refused: int = 0
    void: int = 0
    manual: int = 0
    still_open: int = 0

    @property
    def unsettled(self) -> int:
        return self.manual + self.still_open


class Reconciliation:
    """One pass over a ledger's open intents."""

    def __init__(self, settings: Settings, ledger: Path, out: TextIO, *, max_age_hours: float = MAX_AGE_HOURS,
                 now: dt.datetime | None = None) -> None:
        self.settings = settings
        self.path = ledger
        self.out = out
        self.max_age = dt.timedelta(hours=max_age_hours)
        self.now = now or dt.datetime.now(dt.UTC)
        self.tally = Tally()
        self._clients: dict[tuple[str, str], Client] = {}
        self._ledger: IssuanceLedger | None = None
        self._last: list[Exchange] = []

    def run(self) -> int:
        contents = read_ledger_file(self.path)
        note = contents.describe_unreadable(self.path.name)
        if note:
            self.out.write(f"note: {note}\n")
        before = ledger_counts(contents.records, len(contents.unreadable))
        self.out.write(f"ledger {self.path}: {before.line()}\n")
        pending = open_intents(contents.records)
        if not pending:
            self.out.write("reconcile: nothing open: every intent of the ledger has a settled outcome\n")
            return EXIT_SETTLED
        self._check_targets(pending)
        try:
            for intent in pending:
                self._settle(intent)
        finally:
            self._close()
        after = read_ledger_file(self.path)
        self.out.write(f"ledger now: {ledger_counts(after.records, len(after.unreadable)).line()}\n")
        if self.path.name == "ledger.jsonl":
            write_ledger_csv(self.path, self.path.with_suffix(".csv"))
        self.out.write(self._summary(len(pending)) + "\n")
        return EXIT_OPEN if self.tally.unsettled else EXIT_SETTLED

    def _summary(self, total: int) -> str:
        t = self.tally
        parts = [f"{t.replayed} settled by replay ({t.vouchers} voucher(s))"]
        parts += [f"{t.refused} refused by the provider (nothing issued)"] if t.refused else []
        parts += [f"{t.void} void (embedded sandbox gone)"] if t.void else []
        parts += [f"{t.manual} for manual reconciliation"] if t.manual else []
        parts += [f"{t.still_open} still open (run reconcile again)"] if t.still_open else []
        return f"reconcile: {total} open intent(s): " + ", ".join(parts)

    # -- which target ------------------------------------------------------------------------------

    def _replayable(self, intent: OpenIntent) -> bool:
        if intent.embedded_sandbox or intent.api == "allsafe" or self._too_old(intent):
            return False
        return not intent.raw or (intent.key is not None and bool(intent.intent.get("own_credentials")))

    def _too_old(self, intent: OpenIntent) -> bool:
        try:
            sent = dt.datetime.fromisoformat(str(intent.intent.get("time")))
        except ValueError:
            return True  # no readable time: its age is unknown
        return self.now - sent > self.max_age

    def _check_targets(self, pending: list[OpenIntent]) -> None:
        """Every intent to replay went to the configured target of its API (exit 2 otherwise), and a
        production target is replayed only when allowed."""
        for intent in pending:
            if not self._replayable(intent):
                continue
            base_url, token_url = intent.intent.get("base_url"), intent.intent.get("token_url")
            if not base_url:
                raise ConfigError(f"{intent.api} intent {intent.key}: the ledger does not say which target it went "
                                  "to (written by an older uatcert): reconcile it with the provider's support")
            configured = self._configured(intent.api)
            if configured is None:
                raise ConfigError(f"the ledger has open {intent.api} intents for {base_url}, and no {intent.api} "
                                  f"target is configured: set UATCERT_{intent.api.upper()}__* as for that run")
            if intent.intent.get("client") not in (None, configured[2]):
                name = "UATCERT_V3__CLIENT_ID" if intent.api == "v3" else "UATCERT_V2__X_CLIENT_ID"
                raise ConfigError(f"the ledger's {intent.api} intents were sent by another client than the configured "
                                  f"{name} (a key belongs to its client: a replay by another would issue again)")
            if (configured[0].rstrip("/"), configured[1]) != (str(base_url).rstrip("/"), token_url):
                raise ConfigError(
                    f"the ledger's {intent.api} intents went to {base_url} (token URL {token_url}); the configured "
                    f"{intent.api} target is {configured[0]} (token URL {configured[1]}): reconcile against the "
                    "target of that run"
                )
            guard = self.settings.guard
            group = self.settings.v3 if intent.api == "v3" else self.settings.v2
            if not guard.allow_production and any(
                looks_like_production(url, group.environment, guard.production_host_patterns)
                for url in (str(base_url), str(token_url or ""))
                if url
            ):
                raise ConfigError(f"{base_url} looks like production: replaying its intents needs --allow-production "
                                  "(a replay never issues more than the original intent asked)")

    def _configured(self, api: str) -> tuple[str, str, str | None] | None:
        """The configured base URL, token URL and client fingerprint of an API."""
        if api == "v3":
            v3 = self.settings.v3
            if not v3.configured or not v3.base_url or not v3.token_url:
                return None
            return v3.base_url, v3.token_url, client_fingerprint(v3.client_id)
        v2 = self.settings.v2
        if not v2.configured or not v2.base_url or not v2.token_url:
            return None
        return v2.base_url, v2.token_url, client_fingerprint(v2.x_client_id)

    # -- one intent --------------------------------------------------------------------------------

    def _line(self, action: str, intent: OpenIntent, text: str) -> None:
        record = intent.intent
        if intent.raw:
            what = f"raw {record.get('method')} {record.get('path')}"
        else:
            what = f"{record.get('product_code')} x{record.get('quantity')}"
            value = record.get("face_value")
            if isinstance(value, int) and not isinstance(value, bool):
                currency = f" {record['currency']}" if record.get("currency") else ""
                amount = f"{value / 100:.2f}" if intent.api in ("v3", "v2") else str(value)  # v3/v2: cents
                what += f", face value {amount}{currency}"
        key = intent.key or "(no key)"
        self.out.write(f"  {action:<8} {intent.api:<7} {key}  {what}: {text}\n")

    def _settle(self, intent: OpenIntent) -> None:
        if intent.embedded_sandbox:
            self._write_settlement(intent, "void", error=EMBEDDED_GONE)
            self.tally.void += 1
            self._line("void", intent, EMBEDDED_GONE)
        elif intent.api == "allsafe":
            self.tally.manual += 1
            self._line("manual", intent, self._manual_text(intent, "an AllSafe allocation is never resent (no "
                                                                    "idempotency): ask AllSafe support"))
        elif self._too_old(intent):
            self.tally.manual += 1
            hours = self.max_age.total_seconds() / 3600
            self._line("manual", intent, self._manual_text(
                intent, f"older than {hours:g} h: the provider may have dropped its idempotency record, so a replay "
                        "could issue a second time (--max-age-hours if it confirms a longer retention)"))
        elif not self._replayable(intent):
            self.tally.manual += 1
            why = "sent without a key" if intent.key is None else "sent with other credentials than the run's"
            self._line("manual", intent, self._manual_text(intent, f"a raw request {why} cannot be replayed as sent"))
        elif intent.raw:
            self._replay_raw(intent)
        else:
            self._replay(intent)

    @staticmethod
    def _manual_text(intent: OpenIntent, why: str) -> str:
        record = intent.intent
        ids = ", ".join(intent.request_ids) or "none received"
        seen = f"; vouchers seen in a lost answer: {', '.join(intent.voucher_ids)}" if intent.voucher_ids else ""
        return (f"{why}; sent {record.get('time')}, to {record.get('base_url') or 'the run target'}, "
                f"reference {intent.key or 'none'}, request ids {ids}, {intent.state}{seen}")

    def _replay(self, intent: OpenIntent) -> None:
        record = intent.intent
        key = str(intent.key)
        try:
            int(record["quantity"]), str(record["product_code"])
            if intent.api == "v2":
                str(record["order_number"])
        except (KeyError, TypeError, ValueError):
            self.tally.manual += 1
            self._line("manual", intent, self._manual_text(intent, "the ledger's record lacks what a replay needs"))
            return
        try:
            if intent.api == "v3":
                v3 = self._client(intent)
                assert isinstance(v3, V3Client)
                issuance3 = v3.issue(str(record["product_code"]), int(record["quantity"]), record.get("face_value"),
                                     idempotency_key=key)
                ids, replayed = issuance3.voucher_ids, issuance3.replayed
            else:
                v2 = self._client(intent)
                assert isinstance(v2, V2Client)
                cents = record.get("face_value")
                issuance2 = v2.request_vouchers(
                    str(record["product_code"]), str(record["order_number"]), int(record["quantity"]),
                    Decimal(cents) / 100 if cents is not None else None, correlation_id=key,
                )
                ids, replayed = issuance2.settlement_refs, issuance2.recovered
        except UNREACHABLE as error:
            raise TargetUnreachable(f"{intent.api} replay of {key}: {error} (nothing settled for it; what was "
                                    "settled before is in the ledger)") from None
        except (V3Error, V2Error) as error:
            self._after_error(intent, error)
            return
        self.tally.replayed += 1
        self.tally.vouchers += len(ids)
        if intent.api == "v2":
            how = "answered under the original X-Correlation-Id; v2 marks no replays"
        elif replayed:
            how = "the provider replayed the original issuance"
        else:
            how = "issued now: the original request had not reached the provider"
        asked = int(record["quantity"])
        state = "issued" if len(ids) >= asked else f"partial ({len(ids)} of {asked}: the rest is not issued)"
        self._line("replayed", intent, f"{state}, vouchers {', '.join(ids) or 'none'} ({how})")

    def _after_error(self, intent: OpenIntent, error: Exception) -> None:
        """The client already wrote the outcome (refused or unknown); count and say which."""
        settled = self._last_outcome(intent)
        if settled == "refused":
            self.tally.refused += 1
            self._line("refused", intent, f"the provider refused it, nothing issued: {error}")
        else:
            self.tally.still_open += 1
            self._line("open", intent, f"no settled answer: {error}")

    def _last_outcome(self, intent: OpenIntent) -> str | None:
        records = read_ledger_file(self.path).records
        said = [r.get("outcome") for r in records if r.get("event") == "outcome"
                and r.get("idempotency_key") == intent.key and r.get("api") == intent.api]
        return str(said[-1]) if said else None

    def _replay_raw(self, intent: OpenIntent) -> None:
        record = intent.intent
        body = record.get("body") or ""
        content = (base64.b64decode(body) if record.get("body_encoding") == "base64"
                   else str(body).encode("utf-8"))
        client = self._client(intent)
        self._last.clear()
        try:
            headers = dict(record.get("headers") or {})
            response = client.send(str(record["method"]), str(record["path"]), headers=headers, content=content)
        except UNREACHABLE as error:
            raise TargetUnreachable(f"{intent.api} replay of raw request {intent.key}: {error}") from None
        exchange = self._last[-1] if self._last else None
        status = response.status_code
        ids = voucher_ids_of(exchange) if exchange is not None else []
        if status in (401, 403):
            raise TargetUnreachable(f"{intent.api} replay of raw request {intent.key}: answered {status}: the "
                                    "configured credentials are refused (nothing settled for it)")
        if 200 <= status < 300:
            state = "issued"
        elif status in REFUSAL_SETTLES.get(intent.api, ()):
            state = "refused"
        else:
            self.tally.still_open += 1
            self._line("open", intent, f"answered {status}: that does not prove what became of the original")
            return
        self._write_settlement(intent, state, http_status=status, voucher_ids=ids)
        if state == "issued":
            self.tally.replayed += 1
            self.tally.vouchers += len(ids)
            self._line("replayed", intent, f"answered {status}, vouchers {', '.join(ids) or 'none'}")
        else:
            self.tally.refused += 1
            self._line("refused", intent, f"answered {status}: refused, nothing issued")

    # -- ledger and clients ------------------------------------------------------------------------

    def ledger(self) -> IssuanceLedger:
        if self._ledger is None:
            self._ledger = IssuanceLedger(self.path, reconciliation=True)
        return self._ledger

    def _write_settlement(self, intent: OpenIntent, state: str, *, http_status: int | None = None,
                          voucher_ids: Sequence[str] = (), error: str | None = None) -> None:
        assert state in SETTLED
        record = intent.intent
        if intent.raw:
            settlement: dict[str, Any] = {"event": "raw_outcome", "raw_id": intent.raw_id, "api": intent.api,
                                          "idempotency_key": intent.key}
        else:
            settlement = {"event": "outcome", **{k: v for k, v in record.items() if k not in ("event", "time")}}
        settlement.update(outcome=state, http_status=http_status, voucher_ids=list(voucher_ids),
                          request_ids=list(intent.request_ids), replayed=False, attempts=0 if error else 1,
                          error=error)
        self.ledger().record(settlement)

    def _client(self, intent: OpenIntent) -> Client:
        product_class = str(intent.intent.get("product_class") or self.settings.v2.product_class)
        slot = (intent.api, product_class if intent.api == "v2" else "")
        if slot not in self._clients:
            observers: list[Observer] = [self.ledger(), self._last.append]
            self._clients[slot] = new_client(self.settings, intent.api, product_class,
                                             hook=_ReplayOutcomes(self.ledger()), observers=observers)
        return self._clients[slot]

    def _close(self) -> None:
        for client in self._clients.values():
            client.close()
        if self._ledger is not None:
            self._ledger.close()


class _ReplayOutcomes(IssuanceHook):
    """The ledger as the replaying client's hook: a refusal settles the intent only when it proves nothing
    was issued under the key (`REFUSAL_SETTLES`); any other refusal is written as `unknown`, with why."""


    def __init__(self, ledger: IssuanceLedger) -> None:
        self.ledger = ledger

    def before(self, intent: IssueIntent) -> None:
        self.ledger.before(intent)

    def after(self, outcome: IssueOutcome) -> None:
        if outcome.outcome == "refused" and outcome.http_status not in REFUSAL_SETTLES.get(outcome.intent.api, ()):
            outcome = dataclasses.replace(outcome, outcome="unknown", error=(
                f"replay refused with {outcome.http_status}, which does not prove what became of the original: "
                f"{outcome.error}"))
        self.ledger.after(outcome)
