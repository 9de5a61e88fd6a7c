"""Reusable conformance checks, whatever the API: a tolerant JSON reader and a `Check` that raises findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from uatcert.suite.findings import Nonconformance, short


def body_json(response: httpx.Response) -> Any:
    """The response body as JSON, or None when it is not JSON."""
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None



class Check:
    """
    Raises `Nonconformance` for one requirement (and product) when an expectation is not met.
    `validation_errors`: the scenario's API's errors for a response that does not match its documented
    model (its wing's `validation_errors`), which `conformant()` turns into findings.
    """

    def __init__(
        self, requirement: str, product: str | None = None, validation_errors: tuple[type[Exception], ...] = ()
    ) -> None:
        self.requirement = requirement
        self.product = product
        self.validation_errors = validation_errors

    def that(self, condition: bool, expected: str, got: object) -> None:
        if not condition:
            raise Nonconformance(self.requirement, expected, short(got), product=self.product)

    def fail(self, expected: str, got: object) -> None:
        raise Nonconformance(self.requirement, expected, short(got), product=self.product)

    def status(self, response: httpx.Response, expected: int | tuple[int, ...], what: str) -> None:
        allowed = (expected,) if isinstance(expected, int) else expected
        self.that(
            response.status_code in allowed,
            f"{what} (HTTP {' or '.join(map(str, allowed))})",
            f"HTTP {response.status_code} {short(response.text, 120)}",
        )

    @contextmanager
    def conformant(self, what: str) -> Iterator[None]:
        """
        Turn a response that does not match the documented model into a finding. A body that is not JSON at all
        (`unreadable`: cut short, a gateway's HTML page) is no finding: the error goes on, and the scenario is
        reported broken with its one-line reason.
        """
        try:
            yield
        except self.validation_errors as exc:
            if getattr(exc, "unreadable", False):
                raise
            raise Nonconformance(
                self.requirement, f"{what} matching the documented model", short(str(exc)), product=self.product
            ) from exc
