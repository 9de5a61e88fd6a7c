"""Production guard and issuance budget."""

from __future__ import annotations

import pytest

from uatcert.config import DEFAULT_PRODUCTION_PATTERNS
from uatcert.errors import BudgetExceeded, ConfigError
from uatcert.events import IssueIntent
from uatcert.guard import Budget, looks_like_production, require_permission

PATTERNS = list(DEFAULT_PRODUCTION_PATTERNS)


@pytest.mark.parametrize(
    ("url", "environment", "expected"),
    [
        ("https://api.uniqrewards.com/v3", None, True),
        ("https://api.prod.example.com/v3", None, True),
        ("https://api.uat.uniqrewards.com/v3", None, False),
        ("https://api.demo.uniqrewards.com/v3", None, False),
        ("http://127.0.0.1:8765/v3", "production", True),
        ("https://api.uat.uniqrewards.com/v3", "uat", False),
    ],
)
def test_production_is_recognised(url: str, environment: str | None, expected: bool) -> None:
    assert looks_like_production(url, environment, PATTERNS) is expected


def test_production_needs_the_flag_and_a_budget() -> None:
    require_permission(False, False, None, None, "uat")  # not production: nothing asked
    with pytest.raises(ConfigError, match="allow-production"):
        require_permission(True, False, None, None, "https://api.uniqrewards.com/v3")
    with pytest.raises(ConfigError, match="budget"):
        require_permission(True, True, 10, None, "https://api.uniqrewards.com/v3")
    require_permission(True, True, 10, 10000, "https://api.uniqrewards.com/v3")


def _intent(quantity: int, face_value: int | None) -> IssueIntent:
    return IssueIntent("v3", "k", "P", quantity, face_value)


def test_budget_refuses_before_sending_what_would_exceed_it() -> None:
    budget = Budget(max_vouchers=3, max_face_value_cents=20000, value_of=lambda i: i.face_value)
    budget.before(_intent(2, 5000))
    with pytest.raises(BudgetExceeded, match="3"):
        budget.before(_intent(2, 100))
    with pytest.raises(BudgetExceeded, match="face value"):
        budget.before(_intent(1, 15000))
    budget.before(_intent(1, 10000))
    assert (budget.vouchers, budget.face_value_cents) == (3, 20000)


def test_budget_refuses_products_of_unknown_value() -> None:
    budget = Budget(max_vouchers=10, max_face_value_cents=10**6, value_of=lambda i: None)
    with pytest.raises(BudgetExceeded, match="cannot tell"):
        budget.before(_intent(1, None))
