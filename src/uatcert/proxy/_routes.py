"""The proxy's URL space and the upstreams behind it; which API and operation a request is.

    /v3/...          -> the v3 base URL      (a system's v3 base URL: http://127.0.0.1:PORT/v3)
    /token/v3        -> the v3 token URL
    /v2/...          -> the v2 base URL      (http://127.0.0.1:PORT/v2)
    /token/v2        -> the v2 token URL
    /allsafe/...     -> the AllSafe root     (http://127.0.0.1:PORT/allsafe; /availability, /allocate below it)

The token URLs live under `/token/`, apart from every API path, so a token call is never taken for an API
call whatever the upstream's own token path is.
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from uatcert.errors import ConfigError
from uatcert.proxy._plan import OPERATIONS, OTHER

APIS = tuple(OPERATIONS)
TOKEN_PREFIX = "/token"

_V3 = [
    ("GET", re.compile(r"/products"), "list_products"),
    ("GET", re.compile(r"/products/[^?]+"), "get_product"),
    ("POST", re.compile(r"/products/[^?]+"), "issue"),
    ("GET", re.compile(r"/vouchers"), "list_vouchers"),
    ("GET", re.compile(r"/vouchers/[^/?]+"), "get_voucher"),
]
_V2 = [
    ("POST", re.compile(r"/catalogs/[^/]+/product_assets/[^/]+/products/[^/]+/vouchers/actions/request"), "issue"),
    ("POST", re.compile(r"/catalogs/[^/]+/vouchers/actions/check"), "check"),
]
_ALLSAFE = [
    ("*", re.compile(r"/availability"), "availability"),
    ("*", re.compile(r"/allocate"), "allocate"),
]
_TABLES = {"v3": _V3, "v2": _V2, "allsafe": _ALLSAFE}
ISSUING = {"v3": "issue", "v2": "issue", "allsafe": "allocate"}
KEY_HEADERS = {"v3": "idempotency-key", "v2": "x-correlation-id"}
"""The header carrying each API's idempotency key (AllSafe documents none)."""
REQUEST_ID_HEADERS = ("x-request-id", "x-amzn-requestid", "request-id")
"""Upstream response headers that may carry the provider's request id (as the clients read them)."""


@dataclasses.dataclass(frozen=True)
class ProxyUrls:
    """An API's URLs through the proxy, in the form that API's settings use."""

    base_url: str
    """Ends /v3 or /v2; AllSafe: the root under which /availability and /allocate are the calls."""
    token_url: str | None
    """The v3 / v2 token URL through the proxy; None for AllSafe."""


@dataclasses.dataclass(frozen=True)
class Upstreams:
    """Where the proxy forwards each API (None: that API is not proxied)."""

    v3_base_url: str | None = None
    v3_token_url: str | None = None
    v2_base_url: str | None = None
    v2_token_url: str | None = None
    allsafe_base_url: str | None = None

    @classmethod
    def of_sandbox(cls, root: str) -> Upstreams:
        """Every API of the embedded sandbox served at `root` (e.g. http://127.0.0.1:8765)."""
        root = root.rstrip("/")
        return cls(v3_base_url=f"{root}/v3", v3_token_url=f"{root}/oauth2/token", v2_base_url=f"{root}/v2",
                   v2_token_url=f"{root}/v2/connect/token", allsafe_base_url=f"{root}/allsafe")

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            url = getattr(self, field.name)
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
                raise ConfigError(f"upstream {field.name}: not an http(s) URL without query: {url!r}")
        for api in ("v3", "v2"):
            if (self.base_of(api) is None) != (self.token_of(api) is None):
                raise ConfigError(f"upstream {api}: give both its base URL and its token URL, or neither")

    def base_of(self, api: str) -> str | None:
        url: str | None = getattr(self, f"{api}_base_url")
        return url.rstrip("/") if url else None

    def token_of(self, api: str) -> str | None:
        url: str | None = getattr(self, f"{api}_token_url", None)
        return url

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(api for api in APIS if self.base_of(api) is not None)


@dataclasses.dataclass(frozen=True)
class Route:
    """Where one request goes: its API, operation and upstream URL."""

    api: str
    operation: str
    upstream_url: str

    @property
    def token(self) -> bool:
        return self.operation == "token"

    @property
    def issuance(self) -> bool:
        return ISSUING[self.api] == self.operation


def urls_of(root: str, api: str) -> ProxyUrls:
    """The URLs a system uses for `api` through the proxy listening at `root`."""
    if api not in APIS:
        raise ConfigError(f"unknown API {api!r}; choose one of: {', '.join(APIS)}")
    return ProxyUrls(f"{root}/{api}", f"{root}{TOKEN_PREFIX}/{api}" if api != "allsafe" else None)


def route(upstreams: Upstreams, method: str, target: str) -> Route | None:
    """The route of a request target (path and query, as sent); None when no proxied API has it."""
    path, sep, query = target.partition("?")
    for api in upstreams.apis:
        token_url = upstreams.token_of(api)
        if token_url is not None and path == f"{TOKEN_PREFIX}/{api}":
            return Route(api, "token", token_url + (sep + query if sep else ""))
        prefix = f"/{api}"
        if path == prefix or path.startswith(prefix + "/"):
            rest = path[len(prefix):]
            base = upstreams.base_of(api)
            assert base is not None
            url = base + rest + (sep + query if sep else "")
            return Route(api, _operation(api, method, rest, url, token_url), url)
    return None


def _operation(api: str, method: str, rest: str, url: str, token_url: str | None) -> str:
    if token_url is not None and url.partition("?")[0] == token_url:
        return "token"
    for wanted, pattern, operation in _TABLES[api]:
        if (wanted == "*" or wanted == method.upper()) and pattern.fullmatch(rest):
            return operation
    return OTHER
