"""Production guard and issuance budget."""

from __future__ import annotations

import pytest

from uatcert.config import DEFAULT_PRODUCTION_PATTERNS, GuardSettings
from uatcert.errors import BudgetExceeded, ConfigError
from uatcert.events import IssueIntent
from uatcert.guard import Budget, guard_target, host_of, looks_like_production, require_permission

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


@pytest.mark.parametrize(
    "url",
    [
        "https://API.UNIQREWARDS.COM./v3",  # upper case and the trailing dot of a fully qualified name
        "https://Api.UniqRewards.Com/v3",
        "HTTPS://api.uniqrewards.com:443/v3",
        "https://api.uniqrewards.com../v3",
        "https://integrator@api.uniqrewards.com/v3",
        "https://api.uniqrewards\u3002com/v3",  # ideographic full stop, a dot to IDNA
        "https://api.uniqrewards\uff0ecom./v3",  # full-width full stop
        "  https://api.uniqrewards.com/v3  ",
        "https://auth.prod.uniqrewards.com/oauth2/token",
        "https://API-PROD.example.com/v3",
    ],
)
def test_every_spelling_of_a_production_host_is_production(url: str) -> None:
    assert looks_like_production(url, None, PATTERNS)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://API.UNIQREWARDS.COM./v3", "api.uniqrewards.com"),
        ("https://api.uniqrewards\u3002com/v3", "api.uniqrewards.com"),
        ("https://b\u00fccher.example/v3", "xn--bcher-kva.example"),
        ("http://127.0.0.1:8765/v3", "127.0.0.1"),
        ("https://[::1]:8443/v3", "::1"),
        ("https://[::1/v3", "https://[::1/v3"),  # not a URL a host could be read from: its text, lower case
    ],
)
def test_hosts_are_normalised_before_matching(url: str, host: str) -> None:
    assert host_of(url) == host


@pytest.mark.parametrize(
    ("urls", "refused"),
    [
        (["https://api.uat.uniqrewards.com/v3", "https://auth.uat.uniqrewards.com/oauth2/token"], False),
        (["https://api.uat.uniqrewards.com/v3", "https://auth.prod.uniqrewards.com/oauth2/token"], True),
        (["https://API.UNIQREWARDS.COM./v3", "https://auth.uat.uniqrewards.com/oauth2/token"], True),
    ],
)
def test_every_configured_url_of_a_target_is_checked(urls: list[str], refused: bool) -> None:
    guard = GuardSettings()
    if not refused:
        assert guard_target(guard, urls, "uat", urls[0]) is False
        return
    with pytest.raises(ConfigError, match="looks like production") as caught:
        guard_target(guard, urls, "uat", urls[0])
    production_url = next(u for u in urls if looks_like_production(u, None, PATTERNS))
    assert production_url in str(caught.value)


def test_a_production_environment_is_production_whatever_the_hosts() -> None:
    with pytest.raises(ConfigError, match="looks like production"):
        guard_target(GuardSettings(), ["http://127.0.0.1:8765/v3"], " Production ", "the v3 target")


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
