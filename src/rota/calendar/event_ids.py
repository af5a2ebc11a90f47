"""Pure: the shapes of calendar event ids.

No I/O. Stored events (single, MASTER, EXCEPTION) use Wix's observed shape: the schedule id's 32
hex digits followed by 32 random hex digits. INSTANCEs are never stored; their id is derived from
the MASTER's id and the local date the occurrence starts on (``<master id>_<YYYYMMDD>``), so any
instance can be read or updated by id without storing it, and an instance that becomes an
EXCEPTION keeps that id. A weekly series has at most one occurrence per local date, so the pair is
unique; when a MASTER moves to another weekday its future instance ids change, as Wix documents.
"""

from __future__ import annotations

import re
import uuid
from datetime import date

_INSTANCE = re.compile(r"^(?P<master>[0-9a-f]{64})_(?P<day>\d{8})$")


def new_event_id(schedule_id: uuid.UUID) -> str:
    return schedule_id.hex + uuid.uuid4().hex


def instance_id(master_id: str, day: date) -> str:
    return f"{master_id}_{day:%Y%m%d}"


def parse_instance_id(event_id: str) -> tuple[str, date] | None:
    """The MASTER id and occurrence date inside an instance id; None for any other id."""
    match = _INSTANCE.match(event_id)
    if match is None:
        return None
    digits = match["day"]
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None
    return match["master"], day
