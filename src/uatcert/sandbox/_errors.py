"""The sandbox's default error answer `{"error": {"code", "message"}}` (v3's format) and its generic codes.

Faults injected by the middleware, unknown routes and wrong methods answer with these (the v2 routes rewrite
them into v2's envelope). Each API's own codes live in its package (`v3/codes.py`, `v2/codes.py`, ...).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ErrorCode:
    """An HTTP status, its error code and the default message."""

    status: int
    code: str
    message: str
    documented: bool = True


ROUTE_UNKNOWN = ErrorCode(404, "404-F00", "no such resource", documented=False)
METHOD_NOT_ALLOWED = ErrorCode(405, "405-F00", "method not allowed on this resource", documented=False)
RATE_LIMITED = ErrorCode(429, "429-F01", "too many requests; retry after the Retry-After delay", documented=False)
SERVER_ERROR = ErrorCode(500, "500-F01", "internal server error", documented=False)


def server_error(status: int = 500) -> ErrorCode:
    """A 5xx error with the placeholder code for that status."""
    return dataclasses.replace(SERVER_ERROR, status=status, code=f"{status}-F01")


class ApiError(Exception):
    """Raised by a handler: answered as `{"error": {"code", "message"}}` with the code's status."""

    def __init__(self, error: ErrorCode, detail: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(error.code)
        self.error = error
        self.message = f"{error.message}: {detail}" if detail else error.message
        self.headers = headers or {}
