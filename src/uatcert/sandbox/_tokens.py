"""Access tokens: HS256 JWTs signed with a per-app random key (stdlib hmac)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any


class TokenRejected(Exception):
    """The token is unusable; `expired` tells expired from invalid."""

    def __init__(self, reason: str, *, expired: bool = False) -> None:
        super().__init__(reason)
        self.expired = expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Mints and verifies tokens; `expire_all` makes every token minted so far expired."""

    def __init__(self, ttl_s: int) -> None:
        self.ttl_s = ttl_s
        self._key = secrets.token_bytes(32)
        self._kid = _b64(hashlib.sha256(self._key).digest()[:12])
        self._live: set[str] = set()
        self._expired: set[str] = set()

    def mint(self, client_id: str, scope: str, issuer: str, now: int) -> str:
        header = {"kid": self._kid, "alg": "HS256", "typ": "JWT"}
        jti = str(uuid.uuid4())
        claims = {
            "sub": client_id,
            "token_use": "access",
            "scope": scope,
            "auth_time": now,
            "iss": issuer,
            "exp": now + self.ttl_s,
            "iat": now,
            "version": 2,
            "jti": jti,
            "client_id": client_id,
        }
        signing_input = f"{_b64(_compact(header))}.{_b64(_compact(claims))}"
        self._live.add(jti)
        return f"{signing_input}.{self._sign(signing_input)}"

    def verify(self, token: str, now: int) -> dict[str, Any]:
        """The claims of a valid token; TokenRejected otherwise."""
        parts = token.split(".")
        if len(parts) != 3 or not token.isascii():
            raise TokenRejected("not a JWT")
        signing_input = f"{parts[0]}.{parts[1]}"
        if not hmac.compare_digest(self._sign(signing_input), parts[2]):
            raise TokenRejected("signature does not match (token not issued by this sandbox)")
        try:
            header = json.loads(_unb64(parts[0]))
            claims = json.loads(_unb64(parts[1]))
        except ValueError:
            raise TokenRejected("undecodable JWT") from None
        if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
            raise TokenRejected("unexpected JWT header or payload")
        exp, jti = claims.get("exp"), claims.get("jti")
        if not isinstance(exp, int) or not isinstance(jti, str) or claims.get("token_use") != "access":
            raise TokenRejected("not an access token")
        if now >= exp or jti in self._expired:
            raise TokenRejected("token expired", expired=True)
        return claims

    def expire_all(self) -> int:
        """Expire every token minted so far; returns how many were live."""
        count = len(self._live)
        self._expired |= self._live
        self._live = set()
        return count

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode("utf-8", "surrogateescape"), hashlib.sha256).digest())
