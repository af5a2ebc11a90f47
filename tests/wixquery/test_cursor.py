from __future__ import annotations

import base64
import json
import random
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.wixquery import (
    MAX_TOKEN_CHARS,
    CursorCodec,
    CursorState,
    CursorTooLarge,
    InvalidCursor,
    render_filter,
    render_sort,
)

from .strategies import PROBE_FIELDS, filters, sorts

SECRET = b"test-secret-0123456789abcdef"
CODEC = CursorCodec(SECRET)

keyset_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.text(alphabet=st.sampled_from("ab$~-:{}\"'é😀"), max_size=6),
    st.uuids(),
    st.uuids().map(str),
    st.datetimes(timezones=st.just(UTC)),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7))])),
)

states = st.builds(
    CursorState,
    scope=st.text(alphabet=st.sampled_from("site:/-0123456789abc"), max_size=20),
    filter=filters(PROBE_FIELDS, wide=False).map(render_filter),
    sort=sorts(PROBE_FIELDS).map(render_sort),
    after=st.none() | st.lists(keyset_values, max_size=5),
    forward=st.booleans(),
    extra=st.dictionaries(
        st.sampled_from(["fields", "limit"]), st.integers() | st.text(alphabet='ab"é', max_size=3)
    ),
)


def state(**changes: Any) -> CursorState:
    base = CursorState(
        scope="site-1:staff.query.v1",
        filter={"title": {"$eq": "a"}},
        sort=[{"fieldName": "meta.created", "order": "DESC"}],
        after=[datetime(2024, 8, 28, 13, 22, 32, 784001, tzinfo=UTC), "0f000000-0000-4000-8000-0"],
        forward=True,
        extra={"fields": ["RESOURCE_DETAILS"]},
    )
    return CursorState(**{**base.__dict__, **changes})


@given(states)
def test_round_trip(original: CursorState) -> None:
    token = CODEC.encode(original)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) <= MAX_TOKEN_CHARS
    decoded = CODEC.decode(token, scope=original.scope)
    assert decoded == original
    assert [type(value) for value in decoded.after or []] == [
        type(value) for value in original.after or []
    ]


@given(states, st.data())
def test_any_single_character_change_is_rejected(
    original: CursorState, data: st.DataObject
) -> None:
    token = CODEC.encode(original)
    position = data.draw(st.integers(0, len(token) - 1))
    replacement = data.draw(st.sampled_from("AQgw-_0=+/.~ é") | st.integers(0, 0x10FFFF).map(chr))
    if replacement == token[position]:
        return
    tampered = token[:position] + replacement + token[position + 1 :]
    with pytest.raises(InvalidCursor):
        CODEC.decode(tampered, scope=original.scope)


def test_every_position_and_character_of_a_token_is_checked() -> None:
    token = CODEC.encode(state())
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for position, current in enumerate(token):
        for replacement in alphabet.replace(current, "")[::7]:
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidCursor):
                CODEC.decode(tampered, scope="site-1:staff.query.v1")


def test_truncated_or_extended_tokens_are_rejected() -> None:
    token = CODEC.encode(state())
    for bad in (token[:-1], token[1:], token + "A", token + "=", "", "A" * (MAX_TOKEN_CHARS + 1)):
        with pytest.raises(InvalidCursor):
            CODEC.decode(bad, scope="site-1:staff.query.v1")


def test_another_secret_is_rejected() -> None:
    token = CursorCodec(b"another-secret-0123456789abcdef").encode(state())
    with pytest.raises(InvalidCursor, match="altered or issued by another server"):
        CODEC.decode(token, scope="site-1:staff.query.v1")


@pytest.mark.parametrize("scope", ["site-2:staff.query.v1", "site-1:staff.search.v1", ""])
def test_another_scope_is_rejected(scope: str) -> None:
    token = CODEC.encode(state())
    with pytest.raises(InvalidCursor, match="another query"):
        CODEC.decode(token, scope=scope)


def test_datetimes_and_guids_keep_their_type() -> None:
    moment = datetime(2024, 8, 28, 13, 22, 32, 784001, tzinfo=UTC)
    key = uuid.UUID("0f000000-0000-4000-8000-000000000001")
    original = state(after=[moment, key, str(key), None, 0, False])
    decoded = CODEC.decode(CODEC.encode(original), scope=original.scope)
    assert decoded.after == [moment, key, str(key), None, 0, False]
    assert isinstance(decoded.after[0], datetime)
    assert isinstance(decoded.after[1], uuid.UUID)
    assert isinstance(decoded.after[2], str)


def test_repetitive_state_is_compressed_and_small_one_is_not() -> None:
    big = state(filter={"$or": [{"title": {"$eq": f"value-{i}"}} for i in range(200)]})
    big_token = CODEC.encode(big)
    assert len(big_token) < len(json.dumps(big.filter))
    assert CODEC.decode(big_token, scope=big.scope) == big
    assert base64.urlsafe_b64decode(big_token + "==")[32:33] == b"z"
    small = state(filter={}, sort=[], after=None, extra={})
    assert base64.urlsafe_b64decode(CODEC.encode(small) + "==")[32:33] == b"j"


def test_oversized_state_is_refused_when_encoding() -> None:
    rng = random.Random(7)
    noisy = state(extra={"ids": [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(800)]})
    with pytest.raises(CursorTooLarge, match="at most 16000"):
        CODEC.encode(noisy)


def test_unsupported_keyset_value_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="cannot store"):
        CODEC.encode(state(after=[object()]))


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        CursorCodec(b"")
