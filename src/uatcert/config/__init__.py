"""
Settings: nested pydantic-settings groups read from `UATCERT_*` environment variables and `.env`.

`UATCERT_V3__BASE_URL=https://host/v3` selects a real v3 target; with no target configured the suite
runs against the embedded sandbox. Read settings through `get_settings()`: every problem is one
`ConfigError` line naming the variable; a `UATCERT_*` variable that is no setting (a typo) is warned
with the closest real name (`setting_names()` lists them, derived from the model) and ignored.
"""


from __future__ import annotations

from uatcert.config._loading import SettingName, UnknownVariable, get_settings, setting_names, unknown_variables
from uatcert.config._settings import (
    DEFAULT_PRODUCTION_PATTERNS,
    ENV_PREFIX,
    NESTED,
    CutSettings,
    GuardSettings,
    RetrySettings,
    RunSettings,
    SandboxSettings,
    Settings,
)
from uatcert.config._targets import GIVEN_BY, AllSafeSettings, V2Settings, V3Settings, given_by

__all__ = [
    "DEFAULT_PRODUCTION_PATTERNS", "ENV_PREFIX", "GIVEN_BY", "NESTED", "AllSafeSettings", "CutSettings",
    "GuardSettings", "RetrySettings", "RunSettings", "SandboxSettings", "SettingName", "Settings",
    "UnknownVariable", "V2Settings", "V3Settings", "get_settings", "given_by", "setting_names", "unknown_variables",
]
