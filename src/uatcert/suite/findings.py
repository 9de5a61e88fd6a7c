"""
Findings: the API did not behave as documented.

    AssertionError
    └── Nonconformance            requirement, product, expected, got  -> Allure "failed"

Anything else raised in a step (harness errors, network trouble the client could not recover from)
is shown by Allure as *broken*.
"""

from __future__ import annotations

from typing import Any


class Nonconformance(AssertionError):
    """The target's behaviour differs from the provider's documentation."""

    def __init__(self, requirement: str, expected: str, got: str, *, product: str | None = None) -> None:
        self.requirement = requirement
        self.expected = expected
        self.got = got
        self.product = product
        super().__init__(self.line())

    def line(self) -> str:
        """One line: requirement, product, expected, got."""
        where = f" [{self.product}]" if self.product else ""
        return f"{self.requirement}{where}: expected {self.expected}; got {self.got}"


def short(value: Any, limit: int = 160) -> str:
    """A value shortened for a one-line message."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
