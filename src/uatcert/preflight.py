"""
Before the first scenario: refuse production unless allowed with a budget, prove the target is
reachable and the credentials work, and print the issuance plan. What every API's pre-flight shares
lives here (the budget, the reports folder, the one-line causes of a target that cannot be used: TLS,
refused, DNS, timeout, an HTML page); each wing's `preflight` module checks its own target (`Wing.preflight`).
"""

from __future__ import annotations

import dataclasses
import os
import socket
import ssl
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from uatcert.config import GuardSettings
from uatcert.errors import ConfigError, TargetUnreachable


def require_budget(guard: GuardSettings, vouchers: int, cents: int, plan: str, currency: str, advice: str) -> None:
    """ConfigError when a production plan would exceed the budget (`cents`: hundredths of the currency)."""
    assert guard.max_vouchers is not None and guard.max_face_value_cents is not None
    if vouchers > guard.max_vouchers or cents > guard.max_face_value_cents:
        raise ConfigError(
            f"{plan} exceeds the production budget ({guard.max_vouchers} vouchers, "
            f"{currency}{guard.max_face_value_cents / 100:,.2f}); raise the budget or {advice}"
        )


@dataclasses.dataclass(frozen=True)
class Plan:
    vouchers: int
    face_value_cents: int
    unknown_value_products: tuple[str, ...]

    def describe(self) -> str:
        text = f"will issue up to {self.vouchers} vouchers, SGD {self.face_value_cents / 100:,.2f} in face value"
        if self.unknown_value_products:
            text += f" plus {len(self.unknown_value_products)} product(s) of undisclosed value"
        return text


def check_reports_dir(path: Path) -> None:
    """ConfigError naming the setting when the output folder cannot be created or written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        writable = os.access(path, os.W_OK | os.X_OK)
    except OSError as exc:
        raise ConfigError(f"the reports folder {path} (--reports / UATCERT_RUN__REPORTS_DIR) cannot be created: "
                          f"{exc.strerror or exc}") from None
    if not writable:
        raise ConfigError(f"the reports folder {path} (--reports / UATCERT_RUN__REPORTS_DIR) is not writable")


def _chain(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _address(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def wire_cause(exc: BaseException, url: str, timeout: str = "in time") -> str | None:
    """Why a connection to `url` failed, in words (TLS, refused, DNS, timeout); None when it is none of these."""
    chain = _chain(exc)
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            return f"TLS failure: the server's certificate is not trusted ({error.verify_message})"
        if isinstance(error, ssl.SSLError):
            hint = ": is it a plain-http port?" if error.reason == "WRONG_VERSION_NUMBER" else ""
            return f"TLS failure: the handshake failed ({error.reason or error}){hint}"
    for error in chain:
        if isinstance(error, ConnectionRefusedError):
            return f"connection refused (nothing listens on {_address(url)})"
        if isinstance(error, socket.gaierror):
            return f"host name not found (DNS): {urlsplit(url).hostname}"
        if isinstance(error, httpx.TimeoutException | TimeoutError):
            return f"timed out: no answer {timeout}"
    return None


def _setting_of(exc: BaseException, urls: Mapping[str, str]) -> tuple[str, str]:
    """(setting, URL) of the configured URL the failed request went to (the longest matching one)."""
    request = getattr(exc, "request", None)
    sent = str(request.url) if isinstance(request, httpx.Request) else ""
    matches = [(name, url) for name, url in urls.items() if sent.startswith(url.rstrip("/"))]
    return max(matches, key=lambda m: len(m[1])) if matches else next(iter(urls.items()))


def unreachable(exc: BaseException, urls: Mapping[str, str], timeout: tuple[str, float]) -> TargetUnreachable:
    """`cannot reach <SETTING> <url>: <cause>` for a connection failure (`urls`: setting name -> URL;
    `timeout`: the timeout setting and its value, named when the target did not answer in time)."""
    setting, url = _setting_of(exc, urls)
    within = f"within {timeout[1]:g} s ({timeout[0]})"
    return TargetUnreachable(f"cannot reach {setting} {url}: {wire_cause(exc, url, within) or exc}")


def html_answer(exc: BaseException, urls: Mapping[str, str]) -> TargetUnreachable | None:
    """When the failed call was answered with an HTML page (a portal, a gateway, a wrong URL): the error saying so."""
    response = getattr(exc, "response", None)
    if not isinstance(response, httpx.Response):
        return None
    kind = response.headers.get("content-type", "")
    if "html" not in kind.lower() and not response.content.lstrip()[:15].lower().startswith((b"<!doctype", b"<html")):
        return None
    setting, url = _setting_of(exc, urls)
    return TargetUnreachable(
        f"{setting} {url} answered an HTML page (HTTP {response.status_code} to {response.request.method} "
        f"{response.request.url.path}), not the API: check that {setting} points at the API"
    )
