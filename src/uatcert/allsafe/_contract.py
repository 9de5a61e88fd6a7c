"""
The allocation contract: every UNDOCUMENTED wire detail the client depends on, in one place.

The AllSafe wiki documents `GET /availability` only. The allocate call's path, method and field names
are the reference's proposal (§3.2: `POST /allocate` with `{"vendor", "value", "reference"}`); a
correction from the live `/docs` page is a one-line change here or in the settings
(`UATCERT_ALLSAFE__ALLOCATE_PATH`, `__ALLOCATE_METHOD`, `__VENDOR_FIELD`, `__VALUE_FIELD`,
`__REFERENCE_FIELD`).
"""

from __future__ import annotations

import dataclasses
import re

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
METHODS = ("POST", "PUT", "GET")


@dataclasses.dataclass(frozen=True)
class AllSafeContract:
    """Paths, method and request field names of the two AllSafe functions."""

    availability_path: str = "/availability"
    """DOC: `GET /availability` at the host root."""
    allocate_path: str = "/allocate"
    """UNDOCUMENTED: proposed `/allocate`."""
    allocate_method: str = "POST"
    """UNDOCUMENTED: proposed `POST` with a JSON body; `GET` sends the fields as query parameters."""
    vendor_field: str = "vendor"
    value_field: str = "value"
    reference_field: str | None = "reference"
    """UNDOCUMENTED and not known to exist: the caller's reference. None (or "") = never sent."""

    def __post_init__(self) -> None:
        for name in ("availability_path", "allocate_path"):
            path = getattr(self, name)
            if not isinstance(path, str) or not path.startswith("/") or any(c.isspace() for c in path):
                raise ValueError(f"{name} must be a path starting with '/', got {path!r}")
        method = self.allocate_method.upper()
        if method not in METHODS:
            raise ValueError(f"allocate_method must be one of {', '.join(METHODS)}, got {self.allocate_method!r}")
        object.__setattr__(self, "allocate_method", method)
        if self.reference_field == "":
            object.__setattr__(self, "reference_field", None)
        fields = [self.vendor_field, self.value_field, *([self.reference_field] if self.reference_field else [])]
        for field in fields:
            if not _FIELD.match(field):
                raise ValueError(f"bad request field name {field!r}")
        if len(set(fields)) != len(fields):
            raise ValueError(f"request field names must differ: {', '.join(fields)}")

    @property
    def allocate_label(self) -> str:
        """E.g. `POST /allocate`."""
        return f"{self.allocate_method} {self.allocate_path}"
