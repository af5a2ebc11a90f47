"""Cursors for listing the trash bin: signed, bound to the site, carrying the id filter."""

from __future__ import annotations

import uuid

from rota.core.errors import CursorRejected
from rota.wixquery import CursorCodec, CursorState, InvalidCursor


def _scope(site_id: uuid.UUID) -> str:
    return f"staff-trash:{site_id}"


def encode_trash_cursor(
    secret: str, site_id: uuid.UUID, last_id: uuid.UUID, staff_ids: list[uuid.UUID]
) -> str:
    state = CursorState(
        scope=_scope(site_id),
        filter={"ids": [str(i) for i in staff_ids]},
        sort=[],
        after=[str(last_id)],
        forward=True,
        extra={},
    )
    return CursorCodec(secret.encode()).encode(state)


def decode_trash_cursor(
    secret: str, site_id: uuid.UUID, token: str
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    try:
        state = CursorCodec(secret.encode()).decode(token, scope=_scope(site_id))
        after = uuid.UUID(str((state.after or [None])[0]))
        ids = [uuid.UUID(i) for i in state.filter.get("ids", [])]
    except (InvalidCursor, ValueError, TypeError):
        raise CursorRejected(
            "paging.cursor is not a cursor this endpoint issued for this site: send the "
            "cursor from the previous response unchanged"
        ) from None
    return after, ids
