"""
Redaction: secrets and live voucher values are removed before anything is written.

Secrets (client secrets, passwords, tokens, Basic credentials) are replaced by `***`. Voucher codes,
PINs and voucher URLs are money: they keep at most their last four characters (`…3732`) so support
can still correlate them; a PIN is masked whole. The redactor learns values from every exchange it
sees, so a value first seen in one response is also masked wherever it shows up later.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterable
from typing import Any

from uatcert.events import Exchange

SECRET = "***"

# Keys whose values are voucher secrets (v3, v2, AllSafe); the value is masked to its last 4.
VOUCHER_KEYS = frozenset(
    {"voucher_code", "url", "short_url", "voucher_ref", "edenred_url", "voucher_url", "code_url",
     "barcode", "serial", "voucher_number", "serialnumber", "serial_number", "vouchercode", "voucherurl",
     "redemptionurl", "vouchernumber"}
)
# Keys whose values are masked whole.
WHOLE_KEYS = frozenset(
    {"short_url_pin", "pin", "view_code", "access_token", "refresh_token", "id_token", "client_secret",
     "password", "secret", "x_client_secret", "voucherpin", "voucher_pin", "pin_code"}
)
# Keys whose values are lists of voucher codes (v2 `display_codes`: e.g. third-party merchant codes).
VOUCHER_LIST_KEYS = frozenset({"display_codes"})
# Keys that hold voucher codes only in successful AllSafe allocation answers ("code" means an error
# code elsewhere): learned from those answers, then masked wherever the value shows up.
ALLSAFE_VOUCHER_KEYS = frozenset({"code"})
SECRET_HEADERS = frozenset({"authorization", "x-client-secret", "proxy-authorization", "cookie", "set-cookie"})


MIN_VALUE = 4
"""Shorter values are never learned (they would match by chance)."""
MASK_CHARACTERS = ("*", "…")


def _longest_first(value: str) -> tuple[int, str]:
    return -len(value), value


def mask(value: str) -> str:
    """Keep the last four characters of a long value, nothing of a short one."""
    return "…" + value[-4:] if len(value) > 8 else SECRET


class Redactor:
    """Knows every secret of a run and removes them from headers, JSON and text."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: set[str] = set()
        self._voucher_values: set[str] = set()
        self._by_prefix: dict[str, list[str]] = {}
        """Every known value under its first `MIN_VALUE` characters: a text is searched once for all of them."""
        self._always: list[str] = []
        """Values holding a character a mask inserts: looked for after every replacement, whatever the text."""
        for s in secrets:
            self.add_secret(s)

    # learning ---------------------------------------------------------------------------------
    def add_secret(self, value: str | None) -> None:
        """Register a value to be masked whole wherever it appears."""
        if value and len(value) >= MIN_VALUE:
            with self._lock:
                if value not in self._secrets:
                    self._secrets.add(value)
                    self._index(value)

    def add_voucher_value(self, value: str | None) -> None:
        """Register a voucher code, PIN or URL to be masked wherever it appears."""
        if value and len(value) >= MIN_VALUE:
            with self._lock:
                if value not in self._voucher_values:
                    self._voucher_values.add(value)
                    self._index(value)

    def _index(self, value: str) -> None:
        self._by_prefix.setdefault(value[:MIN_VALUE], []).append(value)
        if any(ch in value for ch in MASK_CHARACTERS):
            self._always.append(value)

    def learn(self, exchange: Exchange) -> None:
        """Pick up credentials from a request and voucher values or tokens from its response."""
        for name, value in exchange.request_headers.items():
            if name.lower() in SECRET_HEADERS:
                self._learn_authorization(value)
        allsafe_voucher = exchange.api == "allsafe" and exchange.status is not None and 200 <= exchange.status < 300
        for body, voucher_keys in (
            (exchange.request_body, VOUCHER_KEYS),
            (exchange.response_body, VOUCHER_KEYS | ALLSAFE_VOUCHER_KEYS if allsafe_voucher else VOUCHER_KEYS),
        ):
            parsed = _parse_json(body)
            if parsed is not None:
                self._learn_json(parsed, voucher_keys)

    def _learn_authorization(self, value: str) -> None:
        scheme, _, credential = value.partition(" ")
        self.add_secret(credential or scheme)
        if scheme.lower() == "basic" and credential:
            try:
                user_pass = base64.b64decode(credential, validate=True).decode("utf-8", "replace")
            except ValueError:
                return
            self.add_secret(user_pass.partition(":")[2])

    def _learn_json(self, node: Any, voucher_keys: frozenset[str]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str | int) and not isinstance(value, bool):
                    text = str(value)
                    if key.lower() in WHOLE_KEYS:
                        self.add_secret(text)
                    elif key.lower() in voucher_keys:
                        self.add_voucher_value(text)
                elif key.lower() in VOUCHER_LIST_KEYS and isinstance(value, list):
                    for item in value:
                        if isinstance(item, str | int) and not isinstance(item, bool):
                            self.add_voucher_value(str(item))
                self._learn_json(value, voucher_keys)
        elif isinstance(node, list):
            for item in node:
                self._learn_json(item, voucher_keys)

    # applying ---------------------------------------------------------------------------------
    def known_values(self) -> list[str]:
        """Every value that must never reach an artifact (for the secrets canary)."""
        with self._lock:
            return sorted(self._secrets | self._voucher_values)

    def text(self, value: str) -> str:
        """Replace every known value inside free text, longest first (secrets, then voucher values)."""
        if len(value) < MIN_VALUE:
            return value
        with self._lock:
            present = self._present(value)
            secrets = sorted((v for v in present if v in self._secrets), key=_longest_first)
            vouchers = sorted((v for v in present if v in self._voucher_values), key=_longest_first)
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, SECRET)
        for voucher in vouchers:
            if voucher in value:
                value = value.replace(voucher, mask(voucher))
        return value

    def _present(self, value: str) -> set[str]:
        """The known values found in `value` (one pass over it, whatever their number), and those a mask
        could complete; under the lock. Replacing them all, longest first, is what replacing every known
        value would do: the others are not in the text."""
        found = set(self._always)
        by_prefix = self._by_prefix
        for start in range(len(value) - MIN_VALUE + 1):
            candidates = by_prefix.get(value[start:start + MIN_VALUE])
            if candidates:
                found.update(c for c in candidates if value.startswith(c, start))
        return found

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        """Mask credential headers entirely (keeping the scheme) and known values elsewhere."""
        out: dict[str, str] = {}
        for name, value in headers.items():
            if name.lower() in SECRET_HEADERS:
                scheme, sep, _ = value.partition(" ")
                out[name] = f"{scheme} {SECRET}" if sep else SECRET
            else:
                out[name] = self.text(value)
        return out

    def json(self, node: Any) -> Any:
        """A redacted copy of a JSON document."""
        if isinstance(node, dict):
            result: dict[str, Any] = {}
            for key, value in node.items():
                lowered = key.lower()
                if lowered in WHOLE_KEYS and value not in (None, ""):
                    result[key] = SECRET
                elif lowered in VOUCHER_KEYS and isinstance(value, str | int) and not isinstance(value, bool):
                    result[key] = mask(str(value))
                elif lowered in VOUCHER_LIST_KEYS and isinstance(value, list):
                    result[key] = [
                        mask(str(item)) if isinstance(item, str | int) and not isinstance(item, bool)
                        else self.json(item) for item in value
                    ]
                else:
                    result[key] = self.json(value)
            return result
        if isinstance(node, list):
            return [self.json(item) for item in node]
        if isinstance(node, str):
            return self.text(node)
        return node

    def body(self, raw: bytes) -> Any:
        """A request or response body as redacted JSON, or as redacted text when it is not JSON."""
        if not raw:
            return None
        parsed = _parse_json(raw)
        if parsed is not None:
            return self.json(parsed)
        text = raw.decode("utf-8", "replace")
        if "grant_type=" in text or "client_secret=" in text:
            return self.text(_redact_form(text))
        return self.text(text)


def _redact_form(text: str) -> str:
    parts = []
    for pair in text.split("&"):
        key, sep, value = pair.partition("=")
        parts.append(f"{key}{sep}{SECRET}" if key.lower() in WHOLE_KEYS else pair)
    return "&".join(parts)


def _parse_json(raw: bytes) -> Any:
    if not raw or raw[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
