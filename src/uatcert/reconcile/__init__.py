"""
`uatcert reconcile [--reports DIR] [--ledger FILE] [--allow-production] [--max-age-hours H]`: settle the
issuances a run left open.

For every open intent of the run's ledger (no outcome: the run died between intent and outcome; or only
`unknown` outcomes: a lost answer never recovered) it does one of four things, and prints one line:

  replayed  v3 / v2: the ORIGINAL request (product, quantity, face value; v2's order number and product
            class) with its ORIGINAL Idempotency-Key / X-Correlation-Id, against the SAME target by the
            SAME client (keys are scoped per client; the configured target and client must be the
            ledger's: exit 2 otherwise), through uatcert's own client. The provider's idempotency answers
            with the original vouchers; if the original never arrived, this is its one and only issuance.
            The outcome is appended to the ledger. A refusal settles the intent only when it proves
            nothing was issued under the key (`REFUSAL_SETTLES`).
  void      the intent went to the embedded sandbox of a run that has ended: its state (vouchers,
            idempotency records) died with that process, nothing can be replayed or issued there.
  manual    AllSafe allocations (no idempotency: never resent), raw requests that cannot be replayed as
            sent (no key, or other credentials than the run's) and intents older than `--max-age-hours`
            (the provider's idempotency retention is undocumented): listed with what support needs.
  open      the replay got no settled answer (5xx after retries): still open, run reconcile again.

Exit codes: 0 nothing left open; 1 something could not be settled (manual ones included); 2 usage or
configuration (no ledger, a ledger of another target, a ledger locked by a running run); 3 the target is
unreachable or refuses the credentials. A second run finds nothing to do ("nothing open").
"""

from __future__ import annotations

from uatcert.reconcile._command import reconcile_main
from uatcert.reconcile._counts import LedgerCounts, ledger_counts, note_archived_ledger, write_ledger_summary
from uatcert.reconcile._pass import MAX_AGE_HOURS, REFUSAL_SETTLES, Reconciliation

__all__ = ["MAX_AGE_HOURS", "REFUSAL_SETTLES", "LedgerCounts", "Reconciliation", "ledger_counts",
           "note_archived_ledger", "reconcile_main", "write_ledger_summary"]
