"""Opaque, signed paging cursors that carry the whole query (Wix cursor requests carry no filter).

Pure: no I/O. A token is `base64url(mac || flag || body)` without padding, where `body` is the
compact JSON of the state (zlib-compressed when that is shorter, `flag` says which) and `mac` is
HMAC-SHA256 over `flag || body` with the server secret. Tokens are tamper-evident, not secret:
anyone can decode the filter they sent, nobody can change it or the keyset position.

Invariants:
- `decode(encode(s), scope=s.scope) == s`; timestamps in `after` keep microseconds and their
  type, GUID strings stay strings and `uuid.UUID` values come back as `uuid.UUID`.
- Any change to a token (one character, padding, trailing bits), a token signed with another
  secret, or one issued for another `scope` (another site, another endpoint) is `InvalidCursor`.
- Tokens never exceed `MAX_TOKEN_CHARS` (Wix's `cursor` maxLength); `encode` raises
  `CursorTooLarge` rather than issue a token clients would reject.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rota.wixquery.errors import CursorTooLarge, InvalidCursor

MAX_TOKEN_CHARS = 16000

_VERSION = 1
_PLAIN = b"j"
_DEFLATED = b"z"
_MAC_BYTES = hashlib.sha256().digest_size
_TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")
_DATETIME_TAG = "$dt"
_UUID_TAG = "$uuid"


@dataclass(frozen=True)
class CursorState:
    """Everything needed to serve the next page without the original request.

    `filter` and `sort` are rendered WQL (`render_filter`/`render_sort`); `after` holds the sort
    values (with tie-breaker) of the last row served, or None for the first page in that
    direction; `forward` is False for a `prev` cursor; `extra` is for the caller (e.g. `fields`).
    """

    scope: str
    filter: dict[str, Any]
    sort: list[Any]
    after: list[Any] | None
    forward: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class CursorCodec:
    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("the cursor secret must not be empty")
        self._secret = secret

    def encode(self, state: CursorState) -> str:
        document = {
            "v": _VERSION,
            "s": state.scope,
            "f": state.filter,
            "o": state.sort,
            "a": None if state.after is None else [_tag(value) for value in state.after],
            "d": state.forward,
            "x": state.extra,
        }
        body = json.dumps(document, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        raw = body.encode()
        deflated = zlib.compress(raw, 9)
        payload = _DEFLATED + deflated if len(deflated) < len(raw) else _PLAIN + raw
        token = _b64encode(self._mac(payload) + payload)
        if len(token) > MAX_TOKEN_CHARS:
            raise CursorTooLarge(
                f"the query needs a {len(token)}-character cursor; at most {MAX_TOKEN_CHARS} "
                "are allowed, so use a shorter filter"
            )
        return token

    def decode(self, token: str, *, scope: str) -> CursorState:
        """The state inside `token`, if we issued it for `scope`; otherwise `InvalidCursor`."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
            raise InvalidCursor("the cursor is empty or too long")
        if not _TOKEN_ALPHABET.fullmatch(token):
            raise InvalidCursor("the cursor is not a token issued by this server")
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise InvalidCursor("the cursor is not a token issued by this server") from None
        # base64 ignores unused low bits of the last character; insisting on the canonical
        # spelling makes every single-character change detectable.
        if _b64encode(blob) != token or len(blob) <= _MAC_BYTES:
            raise InvalidCursor("the cursor is not a token issued by this server")
        mac, payload = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise InvalidCursor("the cursor was altered or issued by another server")
        state = _load(payload)
        if state.scope != scope:
            raise InvalidCursor("the cursor belongs to another query; start again without it")
        return state

    def _mac(self, payload: bytes) -> bytes:
        context = b"rota.wixquery.cursor.v%d\x00" % _VERSION
        return hmac.new(self._secret, context + payload, hashlib.sha256).digest()


def _load(payload: bytes) -> CursorState:
    """Parse an authenticated payload; failures mean a bug or a format change, not an attack."""
    try:
        flag, data = payload[:1], payload[1:]
        if flag == _DEFLATED:
            data = zlib.decompress(data)
        elif flag != _PLAIN:
            raise ValueError("unknown payload flag")
        document = json.loads(data)
        if document["v"] != _VERSION:
            raise ValueError("unknown cursor version")
        after = document["a"]
        state = CursorState(
            scope=document["s"],
            filter=document["f"],
            sort=document["o"],
            after=None if after is None else [_untag(value) for value in after],
            forward=document["d"],
            extra=document["x"],
        )
    except (ValueError, KeyError, TypeError, zlib.error):
        raise InvalidCursor("the cursor is not readable by this server version") from None
    well_formed = (
        isinstance(state.scope, str)
        and isinstance(state.filter, dict)
        and isinstance(state.sort, list)
        and isinstance(state.forward, bool)
        and isinstance(state.extra, dict)
    )
    if not well_formed:
        raise InvalidCursor("the cursor is not readable by this server version")
    return state


def _tag(value: object) -> object:
    """Keyset values as JSON that decodes back to the same type."""
    if isinstance(value, datetime):
        return {_DATETIME_TAG: value.isoformat(timespec="microseconds")}
    if isinstance(value, uuid.UUID):
        return {_UUID_TAG: str(value)}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in a cursor")


def _untag(value: object) -> object:
    if isinstance(value, dict):
        if set(value) == {_DATETIME_TAG}:
            return datetime.fromisoformat(value[_DATETIME_TAG])
        if set(value) == {_UUID_TAG}:
            return uuid.UUID(value[_UUID_TAG])
        raise ValueError("unknown keyset value tag")
    return value


def _b64encode(blob: bytes) -> str:
    return base64.urlsafe_b64encode(blob).rstrip(b"=").decode("ascii")
