"""Pure: how deliveries are signed.

Wix format: the POST body is a JWT signed with RS256 whose `data` claim is a JSON string holding
`eventType`, `instanceId` (the site), `data` (the stringified DomainEvent) and `identity`
(stringified), with the key's `kid` in the header; receivers verify with our JWKS.

Standard Webhooks format: a JSON body, and `webhook-signature: v1,<base64 HMAC-SHA256>` over
`<webhook-id>.<webhook-timestamp>.<body>` with the subscription's `whsec_` secret; receivers
reject stale timestamps, which stops replays.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

SECRET_PREFIX = "whsec_"
JWT_ISSUER = "rota"
JWT_LIFETIME = timedelta(days=3)


def new_rsa_key(kid: str) -> tuple[str, dict[str, Any]]:
    """A fresh 2048-bit RSA key: its private PEM and its public JWK."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return pem, jwk


@functools.lru_cache(maxsize=8)
def load_private_key(private_pem: str) -> rsa.RSAPrivateKey:
    """Parse a PEM once: loading an RSA key validates it, which costs tens of milliseconds,
    far more than signing with it."""
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("webhook signing keys are RSA keys")
    return key


def wix_jwt(
    *,
    event_type: str,
    instance_id: str,
    domain_event: dict[str, Any],
    identity: dict[str, Any],
    private_pem: str,
    kid: str,
    now: datetime,
) -> str:
    data = {
        "eventType": event_type,
        "instanceId": instance_id,
        "data": json.dumps(domain_event, separators=(",", ":")),
        "identity": json.dumps(identity, separators=(",", ":")),
    }
    claims = {
        "data": json.dumps(data, separators=(",", ":")),
        "iss": JWT_ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + JWT_LIFETIME).timestamp()),
    }
    return jwt.encode(
        claims, load_private_key(private_pem), algorithm="RS256", headers={"kid": kid}
    )


def new_webhook_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def standard_signature(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def standard_headers(
    *, secret: str, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": standard_signature(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
    }
