"""Accept the Wix SDK's packed GET form, ``?.r=<base64url(JSON request)>``.

The SDK sends complex GET requests as one base64url JSON document; this unpacks it into ordinary
query parameters (nested keys joined with dots, arrays repeated) before routing.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Receive, Scope, Send


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), item, out)
    elif isinstance(value, list):
        for item in value:
            _flatten(prefix, item, out)
    elif value is not None:
        out.append((prefix, json.dumps(value) if isinstance(value, bool) else str(value)))


def unpack_query(query_string: bytes) -> bytes:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    packed = [v for k, v in pairs if k == ".r"]
    if not packed:
        return query_string
    try:
        document = json.loads(base64.urlsafe_b64decode(packed[0] + "=" * (-len(packed[0]) % 4)))
    except (ValueError, json.JSONDecodeError):
        return query_string  # left as is: the route then reports what is missing
    flat: list[tuple[str, str]] = [(k, v) for k, v in pairs if k != ".r"]
    _flatten("", document, flat)
    return urlencode(flat).encode("latin-1")


class WixPackedGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and b".r=" in scope.get("query_string", b""):
            scope = dict(scope, query_string=unpack_query(scope["query_string"]))
        await self.app(scope, receive, send)
