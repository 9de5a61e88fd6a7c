"""Counts of the fuzz run (cases per operation, failing cases), printed at the end of `make fuzz`."""

from __future__ import annotations

import collections


class Tally:
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
        rows = []
        for (api, op), n in sorted(self.cases.items()):
            statuses = " ".join(f"{s}x{c}" for s, c in sorted(self.statuses[(api, op)].items()))
            rows.append(f"{api:8} {op} - cases {n}, failing {self.failures[(api, op)]}; statuses {statuses}")
        total = sum(self.cases.values())
        rows.append(f"{len(self.cases)} operations, {total} cases sent, {sum(self.failures.values())} failing, "
                    f"{sum(self.unsent.values())} not sent (time budget)")
        return rows


TALLY = Tally()
