"""
The UNIQREWARDS Client API v2 in the sandbox (reference `uniqrewards-api-v2.md`): the token endpoint,
Request Vouchers and Check Vouchers under `/v2/`, with the reference's proposals for every
UNDOCUMENTED point, and the catalogue file (CSV) the sandbox serves.

It shares the sandbox's world with v3: issued vouchers live in `state.vouchers` (so the control API's
voucher actions apply to them, by `voucher_settlement_ref`), X-Correlation-Id records in
`state.idempotency`, issuances in `state.ledger` (`api: "v2"`), and faults in `state.faults` (`api: "v2"`).
A v2 voucher belongs to `v2:<X-Client-Id>`, so v3 callers never see it and v2 callers never see v3's.
"""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import hashlib
import hmac
import io
import json
import re
import secrets
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from uatcert.errors import ConfigError
from uatcert.sandbox._catalogue import CatalogueProduct
from uatcert.sandbox._config import SandboxConfig, SandboxV2Client
from uatcert.sandbox._faults import Fault
from uatcert.sandbox._http import (
    FAULT_KEY,
    JSON,
    NO_STORE,
    basic_credentials,
    dumps,
    reject_json_constant,
    request_id_of,
    state_of,
)
from uatcert.sandbox._idempotency import Record
from uatcert.sandbox._state import SandboxState
from uatcert.sandbox._tokens import TokenRejected
from uatcert.sandbox._vouchers import SGT, Voucher, new_voucher

# Faults address v2 requests with api="v2" (the control API's `api` field and the middleware's lookup).

PREFIX = "/v2"
TOKEN_PATH = f"{PREFIX}/connect/token"
PRODUCT_CLASS = "ETX_001"
MAX_QUANTITY = 20
MAX_REFS = 20
FACE_VALUE_RANGE = (Decimal("1"), Decimal("1000"))
CENT = Decimal("0.01")
OWNER_PREFIX = "v2:"
COMMIT_ROUTES = [
    ("POST", re.compile(r"^/v2/catalogs/[^/]+/product_assets/[^/]+/products/[^/]+/vouchers/actions/request$")),
]
SEEDED_V2_CATALOGUE = Path(__file__).parent / "data" / "v2_catalogue.csv"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
STATUS_NAMES = {"active": "Active", "inactive": "Inactive", "expired": "Expired", "voided": "Trashed", "used": "Used"}
_CORRELATION_ID = re.compile(r"^[\x20-\x7e]{1,128}$")


# -- error codes -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class V2Code:
    """An HTTP status, the v2 error code and its default text. `SIM-` codes are invented (UNDOCUMENTED)."""

    status: int
    code: str
    text: str


_RECOVER = "vouchers may exist: recover with the same X-Correlation-Id"
ERV1102 = V2Code(500, "ERV1102", f"internal failure or timeout during issuance; {_RECOVER}")
ERV1202 = V2Code(500, "ERV1202", f"internal failure during issuance; {_RECOVER}")
AUTH_TOKEN = V2Code(401, "SIM-AUTH-TOKEN", "missing, malformed, unknown or expired bearer token")
AUTH_CLIENT = V2Code(401, "SIM-AUTH-CLIENT", "X-Client-Id or X-Client-Secret missing or wrong")
AUTH_MISMATCH = V2Code(403, "SIM-AUTH-MISMATCH", "the token and the X-Client-Id belong to different clients")
CLASS = V2Code(404, "SIM-CLASS", "unknown product class (it is ETX_001)")
PRODUCT = V2Code(404, "SIM-PRODUCT", "product code not in this client's catalogue")
ORDER = V2Code(404, "SIM-ORDER", "order number unknown or not the one of this product")
QUANTITY = V2Code(400, "SIM-QTY", "manual_quantity must be an integer from 1 to 20")
DISTRIBUTION = V2Code(400, "SIM-DIST", "distribution_mode must be \"manual\"")
FV_REQUIRED = V2Code(400, "SIM-FV-REQUIRED", "face_value is required for a dynamic value-based product")
FV_RANGE = V2Code(400, "SIM-FV-RANGE", "face_value must be from 1 to 1000 (SGD)")
FV_PRECISION = V2Code(400, "SIM-FV-PRECISION", "face_value has more than two decimals")
FV_TYPE = V2Code(400, "SIM-FV-TYPE", "face_value must be a number of SGD")
BODY = V2Code(400, "SIM-BODY", "the body must be a JSON object")
STOCK = V2Code(400, "SIM-STOCK", "manual_quantity exceeds the product's remaining stock")
CORRELATION_FORMAT = V2Code(400, "SIM-CORRELATION-FORMAT", "X-Correlation-Id must be 1-128 printable ASCII chars")
CORRELATION_CONFLICT = V2Code(409, "SIM-CORRELATION-CONFLICT", "X-Correlation-Id already used with a different request")
CORRELATION_IN_PROGRESS = V2Code(409, "SIM-CORRELATION-IN-PROGRESS", "this X-Correlation-Id is still in progress")
REFS_EMPTY = V2Code(400, "SIM-REFS-EMPTY", "voucher_settlement_refs must not be empty")
REFS_COUNT = V2Code(400, "SIM-REFS-COUNT", "voucher_settlement_refs holds at most 20 refs")
REF_NOT_FOUND = V2Code(404, "SIM-REF-NOT-FOUND", "voucher settlement ref not found")
ROUTE = V2Code(404, "SIM-ROUTE", "no such resource")
METHOD = V2Code(405, "SIM-METHOD", "method not allowed on this resource")
RATE_LIMITED = V2Code(429, "SIM-RATE-LIMIT", "too many requests; retry after the Retry-After delay")
SERVER_ERROR = V2Code(500, "SIM-ERROR", "internal server error")
V2_CODES: tuple[V2Code, ...] = tuple(v for v in dict(globals()).values() if isinstance(v, V2Code))


class V2Failure(Exception):
    """Raised by a v2 handler: answered as a `failed` envelope with one message per `details` entry."""

    def __init__(self, code: V2Code, *details: str) -> None:
        super().__init__(code.code)
        self.code = code
        self.details = details or ("",)


def failed_body(code: V2Code, *details: str) -> dict[str, Any]:
    texts = [f"{code.text}: {d}" if d else code.text for d in (details or ("",))]
    return {"meta": {"status": "failed", "messages": [{"code": code.code, "level": "error", "text": t} for t in texts]}}


def _envelope(data: list[dict[str, Any]]) -> bytes:
    return dumps({"meta": {"status": "succeeded"}, "data": data})


# -- catalogue file --------------------------------------------------------------------------------
TYPES = ("fixed_value", "dynamic_value", "product_based", "convertible", "third_party")
_TYPE_WORDS = {
    "fixedvalue": "fixed_value", "fixedvaluebased": "fixed_value", "dynamicvalue": "dynamic_value",
    "dynamicvaluebased": "dynamic_value", "productbased": "product_based", "convertible": "convertible",
    "thirdparty": "third_party", "fixed": "fixed_value", "dynamic": "dynamic_value", "giftcard": "convertible",
    "egiftcard": "convertible", "supervoucher": "convertible", "thirdpartyvoucher": "third_party",
    "thirdpartyvouchers": "third_party",
}
REQUIRED_COLUMNS = ("product_name", "product_code", "order_number", "product_type")
_CODE = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
_LEADING_AMOUNT = re.compile(r"^\s*(?:SGD\s*)?\$\s?(\d{1,6}(?:\.\d{2})?)(?!\d)")


@dataclasses.dataclass(frozen=True)
class V2Product:
    """A product of the v2 catalogue file, and the sandbox-only details of how its vouchers behave."""

    name: str
    code: str
    order_number: str
    product_type: str
    """One of `TYPES`."""
    currency: str
    value: int | None
    """Cents for fixed, convertible and third-party products; items for product-based; None for dynamic."""
    stock: int | None
    expires_fixed: datetime | None
    validity_days: int
    needs_activation: bool
    shadow: CatalogueProduct
    """The same product in the sandbox's voucher model (lifecycle, control API actions)."""

    @property
    def is_dynamic(self) -> bool:
        return self.product_type == "dynamic_value"

    @property
    def is_value_based(self) -> bool:
        return self.product_type != "product_based"


@dataclasses.dataclass(frozen=True)
class V2Catalogue:
    path: Path
    products: tuple[V2Product, ...]

    @cached_property
    def _by_code(self) -> dict[str, V2Product]:
        return {p.code: p for p in self.products}

    def get(self, code: str) -> V2Product | None:
        return self._by_code.get(code)


def _shadow(code: str, name: str, product_type: str, currency: str, value: int | None, validity_days: int,
            needs_activation: bool) -> CatalogueProduct:
    trackable = product_type != "third_party"
    return CatalogueProduct.model_validate({
        "code": code, "name": name, "description": "", "currency": currency, "face_value": value,
        "is_value_based": product_type != "product_based", "is_open_value": product_type == "dynamic_value",
        "is_status_available": trackable, "is_multiple_use": trackable, "validity_days": validity_days,
        "needs_activation": needs_activation, "v2_type": product_type,
    })


def load_v2_catalogue(path: Path | str | None = None) -> V2Catalogue:
    """Read and check a v2 catalogue file (None = the seeded one); ConfigError naming line and column."""
    file = SEEDED_V2_CATALOGUE if path is None else Path(path)
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"sandbox v2 catalogue {file}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"sandbox v2 catalogue {file}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"sandbox v2 catalogue {file}: not UTF-8 (byte offset {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    products: list[V2Product] = []
    try:
        header = [re.sub(r"[^a-z0-9]+", "_", h.strip().lower()).strip("_") for h in next(reader, [])]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise ConfigError(f"sandbox v2 catalogue {file}: line 1: the header lacks {', '.join(missing)}")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            products.append(_product(file, reader.line_num, header, row, {p.code for p in products}))
    except csv.Error as exc:
        raise ConfigError(f"sandbox v2 catalogue {file}: line {reader.line_num}: {exc}") from None
    if not products:
        raise ConfigError(f"sandbox v2 catalogue {file}: line 2: no product rows after the header")
    return V2Catalogue(file, tuple(products))


def _product(file: Path, line: int, header: list[str], row: list[str], taken: set[str]) -> V2Product:
    if len(row) > len(header):
        raise ConfigError(f"sandbox v2 catalogue {file}: line {line}, column {len(header) + 1}: "
                          f"{len(row)} values for {len(header)} columns")
    cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}

    def bad(column: str, problem: str) -> ConfigError:
        return ConfigError(f"sandbox v2 catalogue {file}: line {line}, column {header.index(column) + 1} "
                           f"({column}): {problem}")

    for column in REQUIRED_COLUMNS:
        if not cells[column]:
            raise bad(column, "missing value")
    code, order_number = cells["product_code"], cells["order_number"]
    if not _CODE.match(code):
        raise bad("product_code", f"{code!r} is not a product code (letters, digits, . _ ~ -)")
    if code in taken:
        raise bad("product_code", f"duplicate product code {code!r}")
    if not (order_number.isdigit() and order_number.isascii()):
        raise bad("order_number", f"{order_number!r} is not a number of digits")
    product_type = _TYPE_WORDS.get(re.sub(r"[^a-z]", "", cells["product_type"].lower()))
    if product_type is None:
        raise bad("product_type", f"unknown type {cells['product_type']!r}; expected one of {', '.join(TYPES)}")
    expires_fixed, validity_days = _expiry(cells.get("expiry_rule", ""), lambda p: bad("expiry_rule", p))
    currency = cells.get("currency", "")
    if product_type == "product_based":
        if currency:
            raise bad("currency", "must be empty for a product-based product")
    else:
        currency = currency or "SGD"
        if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
            raise bad("currency", f"{currency!r} is not a 3-letter currency code")
    value = _value(product_type, cells.get("initial_value", ""), cells["product_name"],
                   lambda p: bad("initial_value", p))
    stock_text = cells.get("stock", "")
    if stock_text and not stock_text.isdigit():
        raise bad("stock", f"{stock_text!r} is not a whole number")
    activation = cells.get("needs_activation", "").lower()
    if activation not in ("", "true", "false", "yes", "no", "1", "0"):
        raise bad("needs_activation", f"{activation!r} is not true or false")
    needs_activation = activation in ("true", "yes", "1")
    shadow = _shadow(code, cells["product_name"], product_type, currency, value, validity_days, needs_activation)
    return V2Product(cells["product_name"], code, order_number, product_type, currency, value,
                     int(stock_text) if stock_text else None, expires_fixed, validity_days, needs_activation, shadow)


def _expiry(rule: str, bad: Any) -> tuple[datetime | None, int]:
    if not rule:
        return None, 365
    kind, _, argument = rule.partition(":")
    if kind == "days" and argument.isdigit() and int(argument) <= 36500:
        return None, int(argument)
    if kind == "fixed":
        try:
            moment = datetime.strptime(argument, "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            raise bad(f"{rule!r}: expected fixed:YYYY-MM-DDTHH:MM:SS (Singapore time)") from None
        return moment.replace(tzinfo=SGT), 365
    raise bad(f"{rule!r}: expected days:N or fixed:YYYY-MM-DDTHH:MM:SS")


def _value(product_type: str, text: str, name: str, bad: Any) -> int | None:
    """Cents (value-based) or items (product-based); when the file does not say: the name's leading
    amount (`$10 ...`), else $10.00 or 1 item (a client's own catalogue has only the documented columns)."""
    if product_type == "dynamic_value":
        if text:
            raise bad("must be empty for a dynamic value-based product (the face value is chosen at issuance)")
        return None
    if product_type == "product_based":
        if not text:
            return 1
        if not text.isdigit() or int(text) <= 0:
            raise bad(f"{text!r}: a product-based product needs its number of items")
        return int(text)
    if not text:
        match = _LEADING_AMOUNT.match(name)
        text = match.group(1) if match else "10.00"
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise bad(f"{text!r}: the product's value in dollars is required (e.g. 10.00)") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise bad(f"{text!r}: a positive amount in dollars and cents is required")
    return int(amount * 100)


# -- state -----------------------------------------------------------------------------------------
class V2State:
    """v2's own part of the sandbox: catalogue, clients and tokens (the rest is shared `SandboxState`)."""

    def __init__(self, cfg: SandboxConfig, state: SandboxState) -> None:
        self.cfg = cfg
        self.state = state
        self.catalogue = load_v2_catalogue(cfg.v2_catalogue_path)
        self.clients: dict[str, SandboxV2Client] = {c.client_id: c for c in cfg.v2_clients}
        self.by_x_client_id: dict[str, SandboxV2Client] = {c.x_client_id: c for c in cfg.v2_clients}
        self.tokens: dict[str, str] = {}
        """Opaque bearer token -> the signed token behind it (so `POST /__sandbox/tokens/expire` applies)."""

    def replace_catalogue(self, catalogue: V2Catalogue) -> None:
        """Serve another catalogue from now on (the suite uses this when given its own catalogue file)."""
        self.catalogue = catalogue

    def issued(self, code: str) -> int:
        """Vouchers of `code` issued since the last reset (from the ledger, so a reset restores stock)."""
        return sum(len(e["voucher_ids"]) for e in self.state.ledger if e["api"] == "v2" and e["product_code"] == code)


def v2_of(request: Request) -> V2State:
    v2: V2State = request.app.state.sandbox_v2
    return v2


# -- token endpoint --------------------------------------------------------------------------------
def _oauth(error: str, description: str, status: int = 400) -> Response:
    return Response(dumps({"error": error, "error_description": description}), status, media_type=JSON,
                    headers=NO_STORE)


async def token_endpoint(request: Request) -> Response:
    """POST /v2/connect/token: client credentials in the form body (or HTTP Basic), grant client_credentials."""
    st, v2 = state_of(request), v2_of(request)
    body = await request.body()
    form = _token_form(body)
    if form is None:
        return _oauth("invalid_request", "the body must be application/x-www-form-urlencoded")
    basic = basic_credentials(request.headers.get("authorization", ""))
    client_id = form.get("client_id") or (basic[0] if basic else "")
    secret = form.get("client_secret") or (basic[1] if basic else "")
    grant = form.get("grant_type", "")
    if grant != "client_credentials":
        return _oauth("unsupported_grant_type", "grant_type must be client_credentials")
    if not client_id or not secret:
        return _oauth("invalid_request", "client_id and client_secret are required")
    client = v2.clients.get(client_id)
    if client is None or not hmac.compare_digest(client.client_secret.encode(), secret.encode()):
        status = 401 if basic and "client_id" not in form else 400
        return _oauth("invalid_client", "client authentication failed", status)
    scope = form.get("scope", "").strip()
    if scope and any(s != v2.cfg.v2_scope for s in scope.split()):
        return _oauth("invalid_scope", f"scope {scope!r} is not allowed for this client")
    token = secrets.token_hex(32).upper()
    v2.tokens[token] = st.signer.mint(client.client_id, v2.cfg.v2_scope, str(request.base_url).rstrip("/"),
                                      int(time.time()))
    return Response(
        dumps({"access_token": token, "expires_in": st.cfg.token_ttl_s, "token_type": "Bearer",
               "scope": v2.cfg.v2_scope}),
        200, media_type=JSON, headers=NO_STORE,
    )


def _token_form(body: bytes) -> dict[str, str] | None:
    """The form parameters; a JSON object is accepted too (lenient, as the reference proposes)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.lstrip().startswith("{"):
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        return {str(k): str(v) for k, v in obj.items() if isinstance(v, str)} if isinstance(obj, dict) else None
    try:
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text.strip()))
    except ValueError:
        return None
    return {k: v[0] for k, v in parsed.items()}


# -- voucher endpoints -----------------------------------------------------------------------------
def _authenticate(request: Request) -> SandboxV2Client:
    """Bearer token first (401), then the X-Client pair (401), then that both name one client (403)."""
    st, v2 = state_of(request), v2_of(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    signed = v2.tokens.get(token.strip()) if scheme.lower() == "bearer" else None
    if signed is None:
        raise V2Failure(AUTH_TOKEN)
    try:
        claims = st.signer.verify(signed, int(time.time()))
    except TokenRejected as exc:
        raise V2Failure(AUTH_TOKEN, str(exc)) from None
    token_client = v2.clients.get(str(claims.get("client_id")))
    x_id = request.headers.get("x-client-id", "")
    x_secret = request.headers.get("x-client-secret", "")
    pair = v2.by_x_client_id.get(x_id)
    secret_ok = pair is not None and hmac.compare_digest(pair.x_client_secret.encode(), x_secret.encode())
    if pair is None or not (secret_ok or st.defect == "v2_client_secret_not_checked"):
        raise V2Failure(AUTH_CLIENT)
    if token_client is None or token_client.client_id != pair.client_id:
        raise V2Failure(AUTH_MISMATCH)
    return pair


def _failure_response(failure: V2Failure, correlation_id: str | None) -> Response:
    headers = {"X-Correlation-Id": correlation_id} if correlation_id else None
    return Response(dumps(failed_body(failure.code, *failure.details)), failure.code.status, media_type=JSON,
                    headers=headers)


def _loads(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal, parse_constant=reject_json_constant)


def _fingerprint(product_class: str, order_number: str, code: str, body: bytes) -> str:
    """Path parameters + manual_quantity + face_value to two decimals + distribution_mode (reference §9.3)."""
    try:
        obj = _loads(body) if body.strip() else {}
    except (ValueError, RecursionError):
        obj = None
    if isinstance(obj, dict):
        face_value = obj.get("face_value")
        if isinstance(face_value, int | Decimal | str) and not isinstance(face_value, bool):
            try:
                face_value = str(Decimal(face_value).quantize(CENT))
            except (InvalidOperation, ValueError):
                face_value = f"raw:{face_value}"
        canonical = json.dumps(
            {"q": obj.get("manual_quantity"), "fv": face_value, "dm": obj.get("distribution_mode", "manual")},
            sort_keys=True, default=str,
        )
    else:
        canonical = "raw:" + hashlib.sha256(body).hexdigest()
    return f"{product_class}/{order_number}/{code} {canonical}"


async def request_vouchers(request: Request) -> Response:
    """POST /v2/catalogs/{class}/product_assets/{order}/products/{code}/vouchers/actions/request."""
    st, v2 = state_of(request), v2_of(request)
    params = request.path_params
    body = await request.body()
    raw_key = request.headers.get("x-correlation-id")
    echo = raw_key if raw_key else str(uuid.uuid4())
    try:
        # Between the last lookup and `begin` nothing awaits: check-and-set is atomic on the event loop.
        client = _authenticate(request)
        if params["product_class"] != PRODUCT_CLASS:
            raise V2Failure(CLASS, repr(params["product_class"]))
        if raw_key is not None and not _CORRELATION_ID.match(raw_key):
            raise V2Failure(CORRELATION_FORMAT)
        owner = OWNER_PREFIX + client.x_client_id
        fp = _fingerprint(params["product_class"], params["order_number"], params["product_code"], body)
        record: Record | None = None
        earlier: list[str] = []
        if raw_key:
            existing = st.idempotency.lookup(owner, raw_key)
            deadline = time.monotonic() + v2.cfg.v2_correlation_wait_s
            while existing is not None and existing.in_flight and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # the first attempt is running: wait for its outcome (§9.3)
                existing = st.idempotency.lookup(owner, raw_key)
            if existing is not None and existing.in_flight:
                raise V2Failure(CORRELATION_IN_PROGRESS)
            if existing is not None and existing.fingerprint != fp:
                raise V2Failure(CORRELATION_CONFLICT)
            if existing is not None and st.defect != "v2_replay_issues_new":
                stored = json.loads(existing.body)
                if stored["complete"]:
                    return _replay(st, stored["refs"], echo)
                existing.in_flight = True  # partial: issue the missing vouchers under the same record
                record, earlier = existing, list(stored["refs"])
            elif existing is None:
                record = st.idempotency.begin(owner, raw_key, fp)
    except V2Failure as failure:
        return _failure_response(failure, echo)
    fault: Fault | None = request.scope.get(FAULT_KEY)
    try:
        if fault is not None and fault.spec.kind == "slow_commit":
            await fault.hold(st.cfg.slow_commit_s)
        try:
            refs, complete = _issue(st, v2, request, client, body, raw_key, earlier, fault)
        except V2Failure as failure:
            return _failure_response(failure, echo)
        if record is not None:
            st.idempotency.complete(record, 200, json.dumps({"refs": refs, "complete": complete}).encode())
        if not complete:
            detail = f"{len(refs)} of the vouchers were issued before the failure"
            return _failure_response(V2Failure(ERV1202, detail), echo)
        return Response(_envelope([_issued_view(st.vouchers[r], as_issued=True) for r in refs]), 200, media_type=JSON,
                        headers={"X-Correlation-Id": echo})
    finally:
        if record is not None and raw_key:
            if earlier:
                record.in_flight = False  # a failed continuation keeps the vouchers issued before
            else:
                st.idempotency.abandon(owner, raw_key, record)


def _replay(st: SandboxState, refs: list[str], echo: str) -> Response:
    """The vouchers of the first issuance, as they were issued, in the same order."""
    data = [_issued_view(st.vouchers[r], as_issued=True) for r in refs if r in st.vouchers]
    return Response(_envelope(data), 200, media_type=JSON, headers={"X-Correlation-Id": echo})


def _issue(
    st: SandboxState, v2: V2State, request: Request, client: SandboxV2Client, body: bytes, key: str | None,
    earlier: list[str], fault: Fault | None,
) -> tuple[list[str], bool]:
    """Validate and issue; (settlement refs, complete). Validation order: body, product, order, fields."""
    params = request.path_params
    try:
        payload = _loads(body) if body.strip() else None
    except (ValueError, RecursionError) as exc:
        raise V2Failure(BODY, f"invalid JSON ({exc})") from None
    if not isinstance(payload, dict):
        raise V2Failure(BODY)
    code = params["product_code"]
    product = v2.catalogue.get(code)
    shadow: CatalogueProduct
    if product is None:
        if st.defect != "v2_unknown_product_issued":
            raise V2Failure(PRODUCT, repr(code))
        shadow = _shadow(code, f"$10 {code} Voucher", "fixed_value", "SGD", 1000, 365, False)
    else:
        if params["order_number"] != product.order_number:
            raise V2Failure(ORDER, repr(params["order_number"]))
        shadow = product.shadow
    quantity = payload.get("manual_quantity")
    low, high = (0, 100) if st.defect == "v2_quantity_limit_not_enforced" else (1, MAX_QUANTITY)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not low <= quantity <= high:
        raise V2Failure(QUANTITY, f"got {quantity!r}")
    mode = payload.get("distribution_mode", "manual")
    if mode != "manual":
        raise V2Failure(DISTRIBUTION, f"got {mode!r}")
    face_value = _face_value(payload, product) if product is not None else None
    cents = None
    if face_value is not None:
        cents = int(face_value.to_integral_value()) if st.defect == "v2_face_value_as_cents" else int(face_value * 100)
        cents = max(cents, 1)
    missing = quantity - len(earlier)
    if product is not None and product.stock is not None:
        left = product.stock - v2.issued(code)
        if missing > left:
            raise V2Failure(STOCK, f"asked {missing}, {left} left")
    if st.defect == "v2_one_product_fails" and code == next(
        (p.code for p in v2.catalogue.products if p.product_type == "product_based"), None
    ):
        raise V2Failure(ERV1202, "nothing was issued")
    count = missing
    if fault is not None and fault.spec.kind == "partial" and not earlier:
        default = missing - 1
        count = max(0, min(default if fault.spec.count is None else fault.spec.count, default))
    now = datetime.now(UTC)
    vouchers = [_new_voucher(st, shadow, product, OWNER_PREFIX + client.x_client_id, cents, now) for _ in range(count)]
    if vouchers:
        st.record_issuance(
            api="v2",
            client_id=client.x_client_id,
            idempotency_key=key,
            product_code=code,
            order_number=params["order_number"],
            quantity=quantity,
            face_value=None if cents is None else f"{Decimal(cents) / 100:.2f}",
            voucher_ids=[v.voucher_id for v in vouchers],
            http_status=200 if count == missing else 500,
            request_id=request_id_of(request),
            fault=None if fault is None else fault.spec.kind,
        )
    refs = earlier + [v.voucher_id for v in vouchers]
    return refs, count == missing


def _face_value(payload: dict[str, Any], product: V2Product) -> Decimal | None:
    """The face value of a dynamic product in dollars; other products ignore it (lenient, reference §5.4)."""
    if not product.is_dynamic:
        return None
    value = payload.get("face_value")
    if value is None:
        raise V2Failure(FV_REQUIRED)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise V2Failure(FV_TYPE, f"got {type(value).__name__}")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise V2Failure(FV_TYPE, f"got {value!r}") from None
    if not amount.is_finite():
        raise V2Failure(FV_TYPE, f"got {value!r}")
    if amount != amount.quantize(CENT):
        raise V2Failure(FV_PRECISION, f"got {value}")
    low, high = FACE_VALUE_RANGE
    if not low <= amount <= high:
        raise V2Failure(FV_RANGE, f"got {value}")
    return amount


def _new_voucher(st: SandboxState, shadow: CatalogueProduct, product: V2Product | None, owner: str,
                 cents: int | None, now: datetime) -> Voucher:
    voucher = new_voucher(shadow, owner, cents, now, st.voucher_codes)
    if product is not None and product.expires_fixed is not None:
        voucher.expiration = product.expires_fixed
        voucher.snapshot = voucher.view(now)
    st.vouchers[voucher.voucher_id] = voucher
    return voucher


def _v2_type(voucher: Voucher) -> str:
    return str((voucher.product.model_extra or {}).get("v2_type", ""))


def _third_party_codes(voucher: Voucher) -> tuple[str, str]:
    """A merchant code and PIN for a third-party voucher, derived from its id (stable, unique enough)."""
    digest = hashlib.sha256(voucher.voucher_id.encode()).hexdigest()
    return f"SC{int(digest[:16], 16) % 10**10:010d}", f"{int(digest[16:24], 16) % 10**6:06d}"


def _issued_view(voucher: Voucher, *, as_issued: bool = False) -> dict[str, Any]:
    """The voucher object of a Request Vouchers answer (reference §5.5, §8.1)."""
    status = voucher.snapshot["status"] if as_issued else voucher.current_status(datetime.now(UTC))
    view: dict[str, Any] = {
        "voucher_ref": voucher.voucher_code,
        "voucher_settlement_ref": voucher.voucher_id,
        "voucher_name": voucher.name,
        "status": STATUS_NAMES[status],
        "expiration_date": voucher.expiration.astimezone(SGT).strftime("%Y-%m-%dT%H:%M:%S"),
        "edenred_url": voucher.short_url,
        "view_code": voucher.short_url_pin,
        "display_codes": [],
    }
    if _v2_type(voucher) == "third_party":
        merchant_code, pin = _third_party_codes(voucher)
        view["display_codes"] = [merchant_code]
        view["pin_code"] = pin
    return view


def _money(cents: int) -> int | float:
    """Cents as SGD for JSON: 5000 -> 50, 6172 -> 61.72 (the shortest float repr prints two decimals)."""
    return cents // 100 if cents % 100 == 0 else float(Decimal(cents) / 100)


def _checked_view(st: SandboxState, voucher: Voucher, now: datetime) -> dict[str, Any]:
    """An entry of a Check Vouchers answer (reference §6.3); third-party vouchers are static (as issued)."""
    current = voucher.snapshot if not voucher.product.is_status_available else voucher.view(now)
    status = current["status"]
    if st.defect == "v2_status_not_updated":
        status = voucher.snapshot["status"]
    remaining = int(current["remaining_amount"])
    expires = datetime.fromisoformat(str(current["expiration"])).astimezone(SGT)
    return {
        "expiration_date": f"{expires.day:02d} {MONTHS[expires.month - 1]} {expires.year}",
        "remaining_value": _money(remaining) if voucher.product.is_value_based else remaining,
        "voucher_settlement_ref": voucher.voucher_id,
        "status": STATUS_NAMES[status],
    }


async def check_vouchers(request: Request) -> Response:
    """POST /v2/catalogs/{class}/vouchers/actions/check: statuses in the order asked, all or nothing."""
    st = state_of(request)
    body = await request.body()
    echo = request.headers.get("x-correlation-id")
    try:
        client = _authenticate(request)
        if request.path_params["product_class"] != PRODUCT_CLASS:
            raise V2Failure(CLASS, repr(request.path_params["product_class"]))
        try:
            payload = _loads(body) if body.strip() else None
        except (ValueError, RecursionError) as exc:
            raise V2Failure(BODY, f"invalid JSON ({exc})") from None
        refs = payload.get("voucher_settlement_refs") if isinstance(payload, dict) else None
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            raise V2Failure(BODY, "voucher_settlement_refs must be an array of strings")
        if not refs:
            raise V2Failure(REFS_EMPTY)
        if len(refs) > MAX_REFS:
            raise V2Failure(REFS_COUNT, f"got {len(refs)}")
        owner = OWNER_PREFIX + client.x_client_id
        found = [st.vouchers.get(r.lower()) for r in refs]
        unknown = [r for r, v in zip(refs, found, strict=True) if v is None or v.client_id != owner]
        if unknown:
            raise V2Failure(REF_NOT_FOUND, *unknown)
    except V2Failure as failure:
        return _failure_response(failure, echo)
    now = datetime.now(UTC)
    data = [_checked_view(st, v, now) for v in found if v is not None]
    return Response(_envelope(data), 200, media_type=JSON)


async def v2_info(request: Request) -> Response:
    """GET /__sandbox/v2/info: where v2 is served, its clients and its catalogue (control API, no auth)."""
    v2 = v2_of(request)
    base = str(request.base_url).rstrip("/")
    return Response(dumps({"data": {
        "base_url": f"{base}{PREFIX}",
        "token_url": f"{base}{TOKEN_PATH}",
        "product_class": PRODUCT_CLASS,
        "scope": v2.cfg.v2_scope,
        "clients": [{"client_id": c.client_id, "x_client_id": c.x_client_id} for c in v2.cfg.v2_clients],
        "catalogue": str(v2.catalogue.path),
        "products": [{"code": p.code, "order_number": p.order_number, "product_type": p.product_type}
                     for p in v2.catalogue.products],
    }}), 200, media_type=JSON)


ROUTES = [
    Route(TOKEN_PATH, token_endpoint, methods=["POST"]),
    Route(f"{PREFIX}/catalogs/{{product_class}}/product_assets/{{order_number}}/products/{{product_code}}"
          "/vouchers/actions/request", request_vouchers, methods=["POST"]),
    Route(f"{PREFIX}/catalogs/{{product_class}}/vouchers/actions/check", check_vouchers, methods=["POST"]),
    Route("/__sandbox/v2/info", v2_info, methods=["GET"]),
]


# -- the v2 envelope on answers made outside the v2 routes ------------------------------------------
class V2EnvelopeMiddleware:
    """
    Outermost middleware: error answers under `/v2/catalogs/` (the voucher endpoints) that were not made by
    the v2 routes (faults injected by the sandbox middleware, unknown routes, wrong methods) are rewritten into the v2
    `failed` envelope: `commit_then_500` -> 500 `ERV1102`, `fail_before_commit` -> 500 `ERV1202`.
    Everything else passes untouched, streamed (a `commit_then_drop` still cuts the connection).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(f"{PREFIX}/catalogs/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passing = False

        async def relay(message: Message) -> None:
            nonlocal start, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                if message["status"] < 400:
                    passing = True
                    await send(message)
                else:
                    start = message
            elif message["type"] == "http.response.body" and start is not None:
                if message.get("more_body", False):  # streamed (or cut short on purpose): pass it on as is
                    passing = True
                    await send(start)
                    await send(message)
                    return
                await self._finish(scope, start, message.get("body", b""), send)

        await self.app(scope, receive, relay)

    @staticmethod
    async def _finish(scope: Scope, start: Message, body: bytes, send: Send) -> None:
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        status = start["status"]
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if not (isinstance(parsed, dict) and "meta" in parsed):
            fault: Fault | None = scope.get(FAULT_KEY)
            kind = fault.spec.kind if fault is not None else None
            code = {"commit_then_500": ERV1102, "fail_before_commit": ERV1202, "rate_limit": RATE_LIMITED}.get(
                kind or "", ROUTE if status == 404 else METHOD if status == 405 else SERVER_ERROR
            )
            note = f"(sandbox fault {kind})" if kind else ""
            body = dumps(failed_body(dataclasses.replace(code, status=status), note))
            correlation = Headers(scope=scope).get("x-correlation-id")
            if correlation and not any(k.lower() == b"x-correlation-id" for k, _ in headers):
                headers.append((b"x-correlation-id", correlation.encode("latin-1")))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
