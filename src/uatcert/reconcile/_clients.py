"""The clients a reconciliation replays with: built from the run's settings (as `uatcert run`)."""

from __future__ import annotations

from collections.abc import Sequence

from uatcert.config import Settings
from uatcert.events import IssuanceHook, Observer
from uatcert.v2 import ApiConnectionError as V2ConnectionError
from uatcert.v2 import AuthenticationError as V2AuthError
from uatcert.v2 import PermissionDeniedError as V2Forbidden
from uatcert.v2 import RetryPolicy as V2Retry
from uatcert.v2 import TokenError as V2TokenError
from uatcert.v2 import V2Client
from uatcert.v3 import ApiConnectionError as V3ConnectionError
from uatcert.v3 import AuthenticationError as V3AuthError
from uatcert.v3 import PermissionDeniedError as V3Forbidden
from uatcert.v3 import RetryPolicy as V3Retry
from uatcert.v3 import TokenError as V3TokenError
from uatcert.v3 import V3Client

UNREACHABLE = (V3ConnectionError, V3TokenError, V3AuthError, V3Forbidden, V2ConnectionError, V2TokenError, V2AuthError,
               V2Forbidden)
"""Errors of a replay that say nothing about the intent: the target or its credentials are the trouble (exit 3)."""
Client = V3Client | V2Client


def new_client(settings: Settings, api: str, product_class: str, *, hook: IssuanceHook,
               observers: Sequence[Observer]) -> Client:
    """A client of the configured v3 or v2 target, every issuance told to `hook`, every exchange to `observers`."""
    retry = settings.retry
    if api == "v3":
        v3 = settings.v3
        assert v3.base_url and v3.token_url and v3.client_id and v3.client_secret
        return V3Client(
            v3.base_url, v3.token_url, v3.client_id, v3.client_secret.get_secret_value(),
            scope_prefix=v3.scope_prefix, timeout=v3.timeout_s,
            retry=V3Retry(max_attempts=retry.max_attempts, backoff_base_s=retry.backoff_base_s,
                          backoff_cap_s=retry.backoff_cap_s),
            observers=list(observers), issuance_hooks=[hook],
        )
    v2 = settings.v2
    assert v2.base_url and v2.token_url and v2.client_id and v2.client_secret
    assert v2.x_client_id and v2.x_client_secret
    return V2Client(
        v2.base_url, v2.token_url, v2.client_id, v2.client_secret.get_secret_value(), v2.x_client_id,
        v2.x_client_secret.get_secret_value(), scope=v2.scope, product_class=product_class, timeout=v2.timeout_s,
        retry=V2Retry(max_attempts=retry.max_attempts, backoff_base_s=retry.backoff_base_s,
                      backoff_cap_s=retry.backoff_cap_s),
        observers=list(observers), issuance_hooks=[hook],
    )
