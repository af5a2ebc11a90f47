"""Short-lived access tokens for signed-in users: HS256 JWTs bound to one site."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

ISSUER = "rota"
AUDIENCE = "rota-api"
ACCESS_TOKEN_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    site_id: uuid.UUID
    role: str


class InvalidToken(Exception):
    pass


def _signing_key(secret: str) -> bytes:
    # A key of its own, derived from the server secret: tokens never share a key with cursors,
    # and any secret length yields the 256-bit key HS256 wants.
    return hashlib.sha256(b"rota access token\x00" + secret.encode()).digest()


def issue_access_token(claims: AccessClaims, *, secret: str, now: datetime) -> str:
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(claims.user_id),
        "site": str(claims.site_id),
        "role": claims.role,
        "iat": int(now.timestamp()),
        "exp": int((now + ACCESS_TOKEN_LIFETIME).timestamp()),
    }
    return jwt.encode(payload, _signing_key(secret), algorithm="HS256")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("ey")


def read_access_token(token: str, *, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token, _signing_key(secret), algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER
        )
        return AccessClaims(
            user_id=uuid.UUID(payload["sub"]),
            site_id=uuid.UUID(payload["site"]),
            role=str(payload["role"]),
        )
    except (jwt.PyJWTError, KeyError, ValueError) as error:
        raise InvalidToken(str(error)) from None
