"""Every domain's renderers of the rows events keep (`rota.events.rendering`): whatever reads
events (the server, `rota worker`) registers them all before it starts."""

from __future__ import annotations

from rota.calendar import events as calendar_events
from rota.staff import events as staff_events


def register_all() -> None:
    staff_events.register_rendering()
    calendar_events.register_rendering()
