"""Pure: the window and the cursors of Query Events and Query Schedules.

No I/O. Cursors are signed (`rota.wixquery.CursorCodec`, HMAC with the server secret) and bound
to the site and the endpoint, and carry the whole query: a request with a cursor sends nothing
else but the page size (Wix's rule), and a cursor cannot be replayed against another site.

The Query Events window (Wix leaves the defaults undocumented, §7.6): ``fromLocalDate`` is where
the listing starts and ``toLocalDate`` where it stops, both read in the request's zone. Sorted
ascending (the default) the window is ``[from, to)``, ``to`` open when absent; sorted descending
it runs backwards from ``from`` to ``to`` (``to`` before ``from``, open when absent). ``from``
defaults to now. Events overlapping the window are listed (an event ending after ``from`` is in).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rota.calendar.recurrence import to_utc, zone
from rota.core.errors import CursorRejected, FieldViolation, InvalidInput
from rota.wixquery import CursorCodec, CursorState, InvalidCursor


def event_window(
    from_local: datetime | None,
    to_local: datetime | None,
    *,
    time_zone: str,
    descending: bool,
    now: datetime,
) -> tuple[datetime | None, datetime | None]:
    """``(start, end)`` in UTC, None for an open side."""
    tz = zone(time_zone)
    start = to_utc(from_local, tz) if from_local is not None else now
    end = to_utc(to_local, tz) if to_local is not None else None
    if end is None:
        return (None, start) if descending else (start, None)
    if end == start or (end < start and not descending):
        raise InvalidInput(
            "toLocalDate must be after fromLocalDate (or before it, with sort order DESC)",
            violations=[
                FieldViolation("toLocalDate", "Must be after fromLocalDate", "CUSTOM"),
            ],
        )
    return (min(start, end), max(start, end))


@dataclass(frozen=True)
class EventsCursor:
    filter: dict[str, Any] | None
    sort: list[Any] | None
    start_utc: datetime | None
    end_utc: datetime | None
    time_zone: str
    recurrence_types: list[str]
    fields: list[str]
    after: tuple[datetime, str] | None


def _codec(secret: str) -> CursorCodec:
    return CursorCodec(secret.encode())


def _rejected() -> CursorRejected:
    return CursorRejected(
        "cursorPaging.cursor is not a cursor this endpoint issued for this site: send the "
        "cursor from the previous response unchanged",
        violations=[FieldViolation("query.cursorPaging.cursor", "Unknown cursor", "FORMAT")],
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _from_iso(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value is not None else None


def encode_events_cursor(secret: str, site_id: uuid.UUID, cursor: EventsCursor) -> str:
    state = CursorState(
        scope=f"calendar.events:{site_id}",
        filter=cursor.filter or {},
        sort=cursor.sort or [],
        after=list(cursor.after) if cursor.after else None,
        extra={
            "from": _iso(cursor.start_utc),
            "to": _iso(cursor.end_utc),
            "timeZone": cursor.time_zone,
            "types": cursor.recurrence_types,
            "fields": cursor.fields,
        },
    )
    return _codec(secret).encode(state)


def decode_events_cursor(secret: str, site_id: uuid.UUID, token: str) -> EventsCursor:
    try:
        state = _codec(secret).decode(token, scope=f"calendar.events:{site_id}")
        extra = state.extra
        after = state.after or []
        value, event_id = after[0], after[1]
        if not isinstance(value, datetime) or not isinstance(event_id, str):
            raise ValueError("bad keyset")
        return EventsCursor(
            filter=state.filter or None,
            sort=state.sort or None,
            start_utc=_from_iso(extra.get("from")),
            end_utc=_from_iso(extra.get("to")),
            time_zone=str(extra["timeZone"]),
            recurrence_types=[str(t) for t in extra["types"]],
            fields=[str(f) for f in extra.get("fields", [])],
            after=(value, event_id),
        )
    except (InvalidCursor, ValueError, TypeError, KeyError, IndexError):
        raise _rejected() from None


@dataclass(frozen=True)
class SchedulesCursor:
    filter: dict[str, Any] | None
    after_id: uuid.UUID
    forward: bool
    fields: list[str]


def encode_schedules_cursor(secret: str, site_id: uuid.UUID, cursor: SchedulesCursor) -> str:
    state = CursorState(
        scope=f"calendar.schedules:{site_id}",
        filter=cursor.filter or {},
        sort=[],
        after=[cursor.after_id],
        forward=cursor.forward,
        extra={"fields": cursor.fields},
    )
    return _codec(secret).encode(state)


def decode_schedules_cursor(secret: str, site_id: uuid.UUID, token: str) -> SchedulesCursor:
    try:
        state = _codec(secret).decode(token, scope=f"calendar.schedules:{site_id}")
        after = (state.after or [None])[0]
        if not isinstance(after, uuid.UUID):
            raise ValueError("bad keyset")
        return SchedulesCursor(
            filter=state.filter or None,
            after_id=after,
            forward=state.forward,
            fields=[str(f) for f in state.extra.get("fields", [])],
        )
    except (InvalidCursor, ValueError, TypeError, KeyError, IndexError):
        raise _rejected() from None
