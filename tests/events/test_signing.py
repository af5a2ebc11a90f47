"""Signing and retry policy, as receivers verify them."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.events import signing
from rota.events.envelope import domain_event, event_type
from rota.events.retry import FIRST_DELAY_SECONDS, MAX_DELAY_SECONDS, is_expired, next_delay
from tests.builders import stored_event

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def test_wix_jwt_verifies_with_the_published_key() -> None:
    pem, jwk = signing.new_rsa_key("kid-1")
    stored = stored_event(
        entity_fqdn="wix.bookings.staff.v1.staff_member",
        slug="created",
        entity_id="s1",
        at=NOW,
        kind="created",
        body={"entity": {"id": "s1"}},
    )
    event = domain_event(uuid.uuid4(), stored)
    token = signing.wix_jwt(
        event_type=event_type("wix.bookings.staff.v1.staff_member", "created"),
        instance_id="site-1",
        domain_event=event,
        identity={"identityType": "APP"},
        private_pem=pem,
        kid="kid-1",
        now=NOW,
    )
    assert jwt.get_unverified_header(token)["kid"] == "kid-1"
    public = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    claims = jwt.decode(
        token,
        public,
        algorithms=["RS256"],  # type: ignore[arg-type]
        options={"verify_exp": False},
    )
    data = json.loads(claims["data"])
    assert data["eventType"] == "wix.bookings.staff.v1.staff_member_created"
    assert data["instanceId"] == "site-1"
    inner = json.loads(data["data"])
    assert inner["createdEvent"] == {"entity": {"id": "s1"}}
    assert inner["entityEventSequence"] == "1"
    assert json.loads(data["identity"]) == {"identityType": "APP"}
    _other_pem, other_jwk = signing.new_rsa_key("kid-2")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(other_jwk)),  # type: ignore[arg-type]
            algorithms=["RS256"],
            options={"verify_exp": False},
        )


def test_standard_webhooks_signature_covers_id_timestamp_and_body() -> None:
    secret = signing.new_webhook_secret()
    assert secret.startswith("whsec_")
    headers = signing.standard_headers(
        secret=secret, message_id="msg_1", timestamp=1700000000, body=b'{"a":1}'
    )
    assert headers["webhook-id"] == "msg_1"
    assert headers["webhook-signature"].startswith("v1,")
    again = signing.standard_signature(
        secret=secret, message_id="msg_1", timestamp=1700000000, body=b'{"a":1}'
    )
    assert headers["webhook-signature"] == again
    for changed in (
        {"message_id": "msg_2", "timestamp": 1700000000, "body": b'{"a":1}'},
        {"message_id": "msg_1", "timestamp": 1700000001, "body": b'{"a":1}'},
        {"message_id": "msg_1", "timestamp": 1700000000, "body": b'{"a":2}'},
    ):
        assert signing.standard_signature(secret=secret, **changed) != again  # type: ignore[arg-type]


@given(attempts=st.integers(1, 60), seed=st.integers(0, 2**32))
def test_backoff_grows_is_capped_and_jittered(attempts: int, seed: int) -> None:
    delay = next_delay(attempts, rng=random.Random(seed)).total_seconds()
    step = min(FIRST_DELAY_SECONDS * 2 ** (attempts - 1), MAX_DELAY_SECONDS)
    assert step / 2 <= delay <= step


def test_expiry_is_measured_from_the_first_try() -> None:
    window = timedelta(hours=24)
    assert not is_expired(NOW, NOW + timedelta(hours=23), window)
    assert is_expired(NOW, NOW + timedelta(hours=25), window)
