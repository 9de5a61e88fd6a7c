"""Counts of the fuzz run (cases per operation, failing cases), printed at the end of `make fuzz`."""

from __future__ import annotations

import collections


class Tally:
    """Cases per (API, operation): sent, failing, not sent (time budget), and the statuses answered."""

    def __init__(self) -> None:
        self.cases: collections.Counter[tuple[str, str]] = collections.Counter()
        self.failures: collections.Counter[tuple[str, str]] = collections.Counter()
        self.unsent: collections.Counter[tuple[str, str]] = collections.Counter()
        self.statuses: dict[tuple[str, str], collections.Counter[int]] = collections.defaultdict(collections.Counter)

    def case(self, api: str, operation: str) -> None:
        self.cases[(api, operation)] += 1

    def answered(self, api: str, operation: str, status: int) -> None:
        self.statuses[(api, operation)][status] += 1

    def not_sent(self, api: str, operation: str) -> None:
        self.unsent[(api, operation)] += 1

    def failure(self, api: str, operation: str) -> None:
        self.failures[(api, operation)] += 1

    def lines(self) -> list[str]:
        """One line per operation (cases sent, failing, not sent, statuses of the answers), then the totals."""
        rows = []
        for api, op in sorted(set(self.cases) | set(self.unsent)):
            statuses = " ".join(f"{s}x{c}" for s, c in sorted(self.statuses[(api, op)].items()))
            unsent = f", not sent {self.unsent[(api, op)]}" if self.unsent[(api, op)] else ""
            rows.append(f"{api:8} {op} - cases {self.cases[(api, op)]}, failing {self.failures[(api, op)]}{unsent};"
                        f" statuses {statuses}")
        total = sum(self.cases.values())
        operations = len(set(self.cases) | set(self.unsent))
        rows.append(f"{operations} operations, {total} cases sent, {sum(self.failures.values())} failing, "
                    f"{sum(self.unsent.values())} not sent (time budget)")
        return rows


TALLY = Tally()
