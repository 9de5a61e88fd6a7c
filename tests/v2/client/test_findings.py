"""A malformed v2 answer is a finding of the scenario's requirement (failed), never harness trouble (broken)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.support import reply
from uatcert.suite.checks import Check
from uatcert.suite.findings import Nonconformance
from uatcert.suite.wings.v2.wing import WING
from uatcert.v2 import V2Client

from .fakes import CODE, ORDER, FakeApi, checked_json, succeeded, voucher_json


def _check() -> Check:
    return Check("V2-ISS-EVERY", CODE, WING.validation_errors)


@pytest.mark.parametrize("malformed", [
    succeeded([voucher_json(voucher_ref="")]),
    succeeded([voucher_json(status="active")]),
    succeeded([voucher_json(expiration_date="31 Dec 2029")]),
    succeeded([{"voucher_settlement_ref": "r-1"}]),
])
def test_a_malformed_request_vouchers_answer_is_a_finding(api: FakeApi, client: V2Client,
                                                          malformed: dict[str, object]) -> None:
    api.queue(reply(200, malformed))
    with pytest.raises(Nonconformance) as caught, _check().conformant("a Request Vouchers answer"):
        client.request_vouchers(CODE, ORDER, 1, Decimal("61.72"))
    assert caught.value.line().startswith(f"V2-ISS-EVERY [{CODE}]: expected a Request Vouchers answer matching")


def test_a_malformed_check_vouchers_answer_is_a_finding(api: FakeApi, client: V2Client) -> None:
    api.queue(reply(200, succeeded([checked_json("r-1", remaining_value="61.72")])))
    with pytest.raises(Nonconformance), _check().conformant("a Check Vouchers answer"):
        client.check_vouchers(["r-1"])


def test_harness_trouble_is_not_turned_into_a_finding() -> None:
    with pytest.raises(RuntimeError), _check().conformant("anything"):
        raise RuntimeError("the client did not retry")
